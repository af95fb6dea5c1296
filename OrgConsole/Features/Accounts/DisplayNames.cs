using OrgConsole.Common;

namespace OrgConsole.Features.Accounts;

/// <summary>
/// The name a person goes by in the console (member lists, invitations, the audit log, the user menu). Optional: an
/// account without one is shown by its email. Trimmed, at most <see cref="MaxLength"/> characters, no control characters.
/// </summary>
public static class DisplayNames
{
    public const int MaxLength = 100;

    public const string Field = "DisplayName";

    /// <summary>The trimmed name, or null for "none" (shown as the email); a validation error on <see cref="Field"/> otherwise.</summary>
    public static Result<string?> Validate(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0) return Result<string?>.Ok(null);
        if (trimmed.Length > MaxLength) return Error.Validation(Field, $"Your name can be at most {MaxLength} characters (this one has {trimmed.Length}).");
        if (Names.HasControlCharacters(trimmed)) return Error.Validation(Field, Names.ControlCharactersMessage("name"));
        return trimmed;
    }
}
