using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace OrgConsole.Features.Invitations;

/// <summary>Which page of the invitations list to read: the first, or the one a page token leads to.</summary>
public sealed record InvitationPageRequest(int PageSize = 25, string? PageToken = null)
{
    public const int MaxPageSize = 100;
}

/// <summary>
/// One page of invitations, newest first. <see cref="Start"/> is the index of its first row in the whole list;
/// <see cref="NextToken"/> and <see cref="PreviousToken"/> lead to the neighbouring pages (null at either end).
/// </summary>
public sealed record InvitationPage(IReadOnlyList<InvitationRow> Items, int TotalCount, int Start, string? NextToken, string? PreviousToken);

/// <summary>
/// Where a keyset page starts: the edge invitation of the page shown (its last row going forward, its first going back),
/// for one organization and page size. Sealed with data protection, so a token cannot be forged or edited, and it names its
/// organization, so one organization's token never reads another's list.
/// </summary>
internal sealed record InvitationPageToken(Guid OrganizationId, int PageSize, DateTime CreatedAt, Guid Id, bool Forward, int Start)
{
    public static string Write(IDataProtector protector, InvitationPageToken token)
    {
        var text = string.Join('|', token.OrganizationId.ToString("N"), token.PageSize.ToString(CultureInfo.InvariantCulture),
            token.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture), token.Id.ToString("N"), token.Forward ? "n" : "p",
            Math.Max(0, token.Start).ToString(CultureInfo.InvariantCulture));
        return Base64Url.EncodeToString(protector.Protect(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The token's position, or null when it is malformed, forged, or not one of this organization's list at this page size.</summary>
    public static InvitationPageToken? Read(IDataProtector protector, Guid organizationId, int pageSize, string token)
    {
        if (token.Length > 1024) return null;
        string text;
        try
        {
            text = Encoding.UTF8.GetString(protector.Unprotect(Base64Url.DecodeFromChars(token)));
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return null;
        }
        var parts = text.Split('|');
        if (parts.Length != 6
            || !Guid.TryParseExact(parts[0], "N", out var org) || org != organizationId
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size != pageSize
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTime.MaxValue.Ticks
            || !Guid.TryParseExact(parts[3], "N", out var id)
            || parts[4] is not ("n" or "p")
            || !int.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }
        return new InvitationPageToken(org, size, new DateTime(ticks, DateTimeKind.Utc), id, parts[4] == "n", start);
    }
}
