using OrgConsole.Common;

namespace OrgConsole.Features.Organizations;

public static class OrganizationRules
{
    public const int NameMaxLength = 512;

    /// <summary>Trims and checks an organization name (SPEC §2: 1–512 characters after trimming).</summary>
    public static Result<string> ValidateName(string? name) => Names.Validate(name, NameMaxLength, "organization");
}
