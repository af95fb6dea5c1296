using OrgConsole.Common;

namespace OrgConsole.Features.Projects;

public static class ProjectRules
{
    public const int NameMaxLength = 512;

    public static Result<string> ValidateName(string? name) => Names.Validate(name, NameMaxLength, "project");

    public static Error DuplicateName(string name) =>
        Error.Validation("Name", $"A project named \"{name}\" already exists in this organization. Choose another name.");
}
