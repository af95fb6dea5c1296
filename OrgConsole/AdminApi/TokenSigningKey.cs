namespace OrgConsole.AdminApi;

/// <summary>
/// The key that signs Admin API access tokens, created once on first use and kept, so tokens survive a restart and
/// every instance sharing the database accepts them. A key in configuration (<c>AdminApi:TokenSigningKey</c>) takes precedence.
/// </summary>
public sealed class TokenSigningKey
{
    public required string Id { get; set; }

    /// <summary>256 random bits, base64.</summary>
    public required string Key { get; set; }

    public DateTime CreatedAt { get; set; }
}
