namespace OrgConsole.Common;

public static class Names
{
    /// <summary>
    /// The one rule for every name people give things (organizations, projects, keys, service accounts):
    /// trimmed, not blank, at most <paramref name="maxLength"/> characters, no control characters; the error is on the "Name" field.
    /// </summary>
    public static Result<string> Validate(string? name, int maxLength, string what)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0) return Error.Validation("Name", $"Enter a name for the {what}.");
        if (trimmed.Length > maxLength) return Error.Validation("Name", $"The name can be at most {maxLength} characters (this one has {trimmed.Length}).");
        if (HasControlCharacters(trimmed)) return Error.Validation("Name", ControlCharactersMessage("name"));
        return trimmed;
    }

    /// <summary>
    /// NUL, line breaks, tabs, escape and the other C0/C1 control characters: never part of a name or an email address,
    /// and they corrupt logs, CSV exports and the terminal of whoever reads them.
    /// </summary>
    public static bool HasControlCharacters(string? value) => value is not null && value.Any(char.IsControl);

    public static string ControlCharactersMessage(string what) =>
        $"The {what} cannot contain control characters (such as NUL, tabs or line breaks).";
}
