using OrgConsole.Common;

namespace OrgConsole.Features.Projects;

public static class ProjectRules
{
    public const int NameMaxLength = 512;

    public static Result<string> ValidateName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0) return Error.Validation("Name", "Enter a name for the project.");
        if (trimmed.Length > NameMaxLength) return Error.Validation("Name", $"The name can be at most {NameMaxLength} characters (this one has {trimmed.Length}).");
        return trimmed;
    }

    public static Error DuplicateName(string name) =>
        Error.Validation("Name", $"A project named \"{name}\" already exists in this organization. Choose another name.");
}
