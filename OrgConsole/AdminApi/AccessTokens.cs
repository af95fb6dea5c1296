using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrgConsole.Common;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole.AdminApi;

public sealed class AdminApiOptions
{
    /// <summary>How long an access token lives (Pinecone's example: 1800 seconds).</summary>
    public int TokenLifetimeSeconds { get; set; } = 1800;

    /// <summary>
    /// Optional base64 key (at least 32 bytes) that signs tokens; when empty, one is generated once and kept in the database
    /// protected by the Data Protection key ring (<see cref="SigningKeyStore"/>), never in clear.
    /// </summary>
    public string TokenSigningKey { get; set; } = "";

    /// <summary>The audiences a token request may name; Pinecone's clients send https://api.pinecone.io/.</summary>
    public string[] Audiences { get; set; } = ["https://api.pinecone.io/"];
}

/// <summary>What a valid access token says: which service account, with which secret stamp, until when.</summary>
public sealed record TokenClaims(Guid ServiceAccountId, Guid OrganizationId, Guid SecretStamp, DateTimeOffset ExpiresAt);

/// <summary>
/// Issues and checks the Admin API's bearer tokens: compact JWTs signed with HMAC-SHA256. A token carries the account's
/// secret stamp, so rotating the secret (or deleting the account) ends it at once; expiry is read from <see cref="TimeProvider"/>.
/// The lifetime is the server's, whatever a token claims: one issued in the future, or living longer than the server issues, is refused.
/// </summary>
public sealed class AccessTokens(SigningKeyStore keys, Microsoft.Extensions.Options.IOptions<AdminApiOptions> options, TimeProvider time)
{
    /// <summary>How far ahead of this server's clock another instance's clock may be when it issued a token.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public const string Issuer = "orgconsole";
    public const string KeyId = "admin-api-tokens";
    private static readonly byte[] Header = Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}""");
    private readonly SemaphoreSlim _keyLock = new(1, 1);
    private byte[]? _key;

    public int LifetimeSeconds => options.Value.TokenLifetimeSeconds;

    public async Task<string> IssueAsync(ServiceAccountIdentity account, string audience, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = audience,
            ["sub"] = account.Id.ToString(),
            ["org"] = account.OrganizationId.ToString(),
            ["stamp"] = account.SecretStamp.ToString(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddSeconds(LifetimeSeconds).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        });
        var signingInput = $"{Base64Url.EncodeToString(Header)}.{Base64Url.EncodeToString(payload)}";
        var signature = HMACSHA256.HashData(await KeyAsync(ct), Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>The claims of a well-formed, correctly signed, unexpired token; null for anything else.</summary>
    public async Task<TokenClaims?> ReadAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048) return null;
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var expected = HMACSHA256.HashData(await KeyAsync(ct), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
            if (!CryptographicOperations.FixedTimeEquals(expected, Base64Url.DecodeFromChars(parts[2]))) return null;
            if (!Base64Url.DecodeFromChars(parts[0]).AsSpan().SequenceEqual(Header)) return null;
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = payload.RootElement;
            var issued = DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("iat").GetInt64());
            var expires = DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64());
            var now = time.GetUtcNow();
            if (expires <= now || issued > now + ClockSkew) return null;
            if (expires - issued > TimeSpan.FromSeconds(LifetimeSeconds)) return null;
            if (root.GetProperty("iss").GetString() != Issuer) return null;
            return new TokenClaims(Guid.Parse(root.GetProperty("sub").GetString()!), Guid.Parse(root.GetProperty("org").GetString()!),
                Guid.Parse(root.GetProperty("stamp").GetString()!), expires);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The signing key: from configuration, else the protected one in the database (created by the first caller that needs it).</summary>
    private async Task<byte[]> KeyAsync(CancellationToken ct)
    {
        if (_key is not null) return _key;
        await _keyLock.WaitAsync(ct);
        try
        {
            if (_key is not null) return _key;
            if (options.Value.TokenSigningKey is { Length: > 0 } configured)
            {
                var bytes = Convert.FromBase64String(configured);
                if (bytes.Length < 32) throw new InvalidOperationException("AdminApi:TokenSigningKey must be at least 32 bytes, base64-encoded.");
                return _key = bytes;
            }
            return _key = await keys.GetOrCreateAsync(KeyId, ct);
        }
        finally
        {
            _keyLock.Release();
        }
    }
}
