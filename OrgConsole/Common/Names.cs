namespace OrgConsole.Common;

public static class Names
{
    /// <summary>
    /// The one rule for every name people give things (organizations, projects, keys, service accounts):
    /// trimmed, not blank, at most <paramref name="maxLength"/> characters; the error is on the "Name" field.
    /// </summary>
    public static Result<string> Validate(string? name, int maxLength, string what)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0) return Error.Validation("Name", $"Enter a name for the {what}.");
        if (trimmed.Length > maxLength) return Error.Validation("Name", $"The name can be at most {maxLength} characters (this one has {trimmed.Length}).");
        return trimmed;
    }
}
