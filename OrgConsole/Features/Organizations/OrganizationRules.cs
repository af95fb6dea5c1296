using OrgConsole.Common;

namespace OrgConsole.Features.Organizations;

public static class OrganizationRules
{
    public const int NameMaxLength = 512;

    /// <summary>Trims and checks an organization name (SPEC §2: 1–512 characters after trimming).</summary>
    public static Result<string> ValidateName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0) return Error.Validation("Name", "Enter a name for the organization.");
        if (trimmed.Length > NameMaxLength) return Error.Validation("Name", $"The name can be at most {NameMaxLength} characters (this one has {trimmed.Length}).");
        return trimmed;
    }
}
