using OrgConsole.Common;

namespace OrgConsole.Features.Accounts;

/// <summary>
/// The email address carried from one account step to the next (an invitation link → registration, the sign-in email
/// step → "forgot password"), to prefill a form. Display only: it proves nothing — the invitation token and the email
/// confirmation decide — so anything that does not look like one short, printable address is dropped.
/// </summary>
public static class EmailPrefill
{
    public const int MaxLength = 256;

    private const string NotInAnAddress = "<>\"'()[]\\,;:`";

    public static string? From(string? hint)
    {
        var trimmed = hint?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxLength || Names.HasControlCharacters(trimmed)) return null;
        var at = trimmed.IndexOf('@');
        return at > 0 && at == trimmed.LastIndexOf('@') && at < trimmed.Length - 1 && !trimmed.Any(c => char.IsWhiteSpace(c) || NotInAnAddress.Contains(c)) ? trimmed : null;
    }
}
