using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OrgConsole.Common;

/// <summary>
/// The building blocks of every secret OrgConsole hands out once (API keys, client secrets): random bytes from the
/// OS CSPRNG written in lower-case base32 (no characters a key format uses as a separator), and the SHA-256 that is
/// all the database keeps. Such secrets carry 256 bits, so a fast hash is enough.
/// </summary>
public static class Secrets
{
    public static string RandomBase32(int bytes) => Base32(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>Random bytes from the CSPRNG in unpadded base64url, for tokens that travel in links (invitations).</summary>
    public static string RandomBase64Url(int bytes) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));

    public static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>Compares a presented secret with a stored SHA-256 in constant time.</summary>
    public static bool Matches(string presented, string storedHash) =>
        storedHash.Length == 64 && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(storedHash), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    /// <summary>
    /// A stored hash no secret matches: compared against when the claimed owner does not exist, so an unknown id costs
    /// the same time as a wrong secret.
    /// </summary>
    public static readonly string NoHash = new('0', 64);

    /// <summary>Compares a presented secret with a configured one (not stored hashed) in constant time, whatever their lengths.</summary>
    public static bool MatchesConfigured(string presented, string configured) => Matches(presented, Sha256Hex(configured));

    private static string Base32(byte[] bytes)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var output = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                output.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) output.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return output.ToString();
    }
}
