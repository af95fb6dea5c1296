using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Data;

namespace OrgConsole.Common;

/// <summary>
/// A signing key kept in the database so every instance sharing it signs and checks alike. <see cref="Key"/> is never the
/// key itself: it is the key protected with the Data Protection key ring (which lives outside the database), so a copy of
/// the database alone cannot mint tokens.
/// </summary>
public sealed class StoredSigningKey
{
    public required string Id { get; set; }

    /// <summary><see cref="SigningKeyStore.ProtectedPrefix"/> + the Data Protection payload of 256 random bits.</summary>
    public required string Key { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// Hands out named 256-bit signing keys: created once from the CSPRNG, stored protected by Data Protection, read back and
/// unprotected. A row written in clear by an earlier version is treated as leaked and replaced with a new key.
/// </summary>
public sealed class SigningKeyStore(IDbContextFactory<ApplicationDbContext> dbFactory, IDataProtectionProvider dataProtection, TimeProvider time,
    ILogger<SigningKeyStore> logger)
{
    public const string ProtectedPrefix = "dp1:";
    private const string Purpose = "OrgConsole.SigningKeys.v1";

    public async Task<byte[]> GetOrCreateAsync(string id, CancellationToken ct = default)
    {
        var protector = dataProtection.CreateProtector(Purpose, id);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.TokenSigningKeys.FirstOrDefaultAsync(k => k.Id == id, ct);
        if (stored is not null && stored.Key.StartsWith(ProtectedPrefix, StringComparison.Ordinal))
        {
            // A key ring that cannot read it is a misconfiguration (instances must share the ring): fail loudly, never replace.
            return protector.Unprotect(Convert.FromBase64String(stored.Key[ProtectedPrefix.Length..]));
        }
        var key = RandomNumberGenerator.GetBytes(32);
        var value = ProtectedPrefix + Convert.ToBase64String(protector.Protect(key));
        var now = time.UtcNow();
        if (stored is null)
        {
            db.TokenSigningKeys.Add(new StoredSigningKey { Id = id, Key = value, CreatedAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
                return key;
            }
            catch (DbUpdateException)
            {
                return await ReadProtectedAsync(id, protector, ct); // another instance created it first: use theirs
            }
        }
        logger.LogWarning("The signing key {KeyId} was stored in clear; replacing it with a new protected key (tokens signed with the old one stop working).", id);
        var legacy = stored.Key;
        var replaced = await db.TokenSigningKeys.Where(k => k.Id == id && k.Key == legacy)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.Key, value).SetProperty(k => k.CreatedAt, now), ct);
        return replaced == 1 ? key : await ReadProtectedAsync(id, protector, ct);
    }

    private async Task<byte[]> ReadProtectedAsync(string id, IDataProtector protector, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.TokenSigningKeys.AsNoTracking().FirstAsync(k => k.Id == id, ct);
        return protector.Unprotect(Convert.FromBase64String(stored.Key[ProtectedPrefix.Length..]));
    }
}
