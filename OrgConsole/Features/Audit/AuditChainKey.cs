using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace OrgConsole.Features.Audit;

/// <summary>Settings of the audit trail (section "Audit").</summary>
public sealed class AuditOptions
{
    /// <summary>
    /// The key the audit chain is sealed with: base64 of at least 32 bytes, or a passphrase of at least 32 characters.
    /// Empty: a random key kept in <see cref="ChainKeyPath"/>, encrypted with the Data Protection key ring.
    /// </summary>
    public string? ChainKey { get; set; }

    /// <summary>Where the key-ring-protected chain key is kept when <see cref="ChainKey"/> is empty; default: beside the key ring.</summary>
    public string? ChainKeyPath { get; set; }

    /// <summary>The append-only file each organization's chain head is checkpointed to (signed lines); default: beside the database.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>How often chain heads are checkpointed.</summary>
    public int CheckpointMinutes { get; set; } = 10;
}

/// <summary>
/// The secret the audit chain is sealed with (HMAC-SHA256, SPEC §9). It never lives in the database, so a copy of the
/// database — or write access to it — is not enough to rewrite the chain so that it still verifies.
/// </summary>
public sealed class AuditChainKey
{
    public const int MinimumBytes = 32;
    private const string ProtectorPurpose = "OrgConsole.Audit.ChainKey.v1";
    private readonly byte[] _key;
    private readonly byte[] _checkpointKey;

    public AuditChainKey(byte[] key)
    {
        if (key.Length < MinimumBytes) throw new ArgumentException($"The audit chain key needs at least {MinimumBytes} bytes.", nameof(key));
        _key = key.ToArray();
        Id = Convert.ToHexStringLower(HMACSHA256.HashData(_key, "OrgConsole audit key id"u8))[..16];
        _checkpointKey = HMACSHA256.HashData(_key, "OrgConsole audit checkpoints v1"u8);
    }

    /// <summary>A public fingerprint of the key, stored with each event it seals (not the key: an HMAC of a constant).</summary>
    public string Id { get; }

    public string Seal(string canonical) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(canonical)));

    public string SignCheckpoint(string canonical) => Convert.ToHexStringLower(HMACSHA256.HashData(_checkpointKey, Encoding.UTF8.GetBytes(canonical)));

    public static bool SameHex(string? a, string? b) =>
        a is not null && b is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    /// <summary>The configured key, or the key file protected by the Data Protection key ring (created on first use).</summary>
    public static AuditChainKey Load(AuditOptions options, IDataProtectionProvider dataProtection, KeyManagementOptions keyManagement)
    {
        if (!string.IsNullOrWhiteSpace(options.ChainKey)) return FromConfiguration(options.ChainKey.Trim());

        var path = !string.IsNullOrWhiteSpace(options.ChainKeyPath) ? options.ChainKeyPath
            : (keyManagement.XmlRepository as FileSystemXmlRepository)?.Directory is { } ring ? Path.Combine(ring.FullName, "audit-chain.key")
            : throw new InvalidOperationException("Set Audit:ChainKey (32+ random bytes, base64), or Audit:ChainKeyPath, or keep the Data Protection key ring in a directory: the audit chain key must not live in the database.");
        var protector = dataProtection.CreateProtector(ProtectorPurpose);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            try
            {
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(file);
                writer.Write(Convert.ToBase64String(protector.Protect(RandomNumberGenerator.GetBytes(MinimumBytes))));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another instance created it first: use theirs.
            }
        }
        return new AuditChainKey(protector.Unprotect(Convert.FromBase64String(File.ReadAllText(path).Trim())));
    }

    private static AuditChainKey FromConfiguration(string configured)
    {
        var bytes = new byte[configured.Length];
        if (Convert.TryFromBase64String(configured, bytes, out var written) && written >= MinimumBytes) return new AuditChainKey(bytes[..written]);
        if (configured.Length >= MinimumBytes) return new AuditChainKey(SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
        throw new InvalidOperationException($"Audit:ChainKey is too short: use base64 of {MinimumBytes}+ random bytes (e.g. `openssl rand -base64 32`).");
    }
}
