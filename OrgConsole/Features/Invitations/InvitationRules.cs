using System.Text.RegularExpressions;

namespace OrgConsole.Features.Invitations;

public static partial class InvitationRules
{
    public const int MaxEmailLength = 256;
    public const int MaxAddressesPerInvite = 100;
    public const int EmailsPerOrganizationPerHour = 100;
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>Splits a pasted list (commas, semicolons, spaces, new lines) or a CSV file's text into addresses, in order, without duplicates.</summary>
    public static IReadOnlyList<string> ParseAddresses(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        return Separators().Split(text)
            .Select(a => a.Trim().Trim('"', '\'', '<', '>'))
            .Where(a => a.Length > 0)
            .DistinctBy(a => a.ToUpperInvariant())
            .ToList();
    }

    /// <summary>The addresses in an uploaded CSV file: every cell holding an @, whatever its column; header rows have none.</summary>
    public static IReadOnlyList<string> ParseCsv(string? csv) =>
        string.IsNullOrWhiteSpace(csv) ? [] : ParseAddresses(string.Join('\n', csv.Split('\n')
            .SelectMany(line => line.Split(',', ';', '\t'))
            .Select(cell => cell.Trim().Trim('"'))
            .Where(cell => cell.Contains('@'))));

    public static bool IsValidEmail(string address) =>
        address.Length <= MaxEmailLength && !Common.Names.HasControlCharacters(address) && EmailShape().IsMatch(address);

    [GeneratedRegex(@"[\s,;]+")]
    private static partial Regex Separators();

    // Deliberately simple: one @, a dot in the domain, no spaces or brackets. The email itself proves the rest.
    [GeneratedRegex(@"^[^@\s<>()\[\],;:""]+@[^@\s<>()\[\],;:""]+\.[^@\s<>()\[\],;:""]{2,}$")]
    private static partial Regex EmailShape();
}
