namespace OrgConsole.Features.ServiceAccounts;

/// <summary>
/// A machine principal of one organization (SPEC §1.3, §7). It authenticates with <see cref="ClientId"/> and a client
/// secret; its organization role and project roles are role assignments held with <c>PrincipalType.ServiceAccount</c>.
/// </summary>
public sealed class ServiceAccount
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    /// <summary>Public identifier sent with the secret to <c>POST /oauth/token</c>; not a secret.</summary>
    public required string ClientId { get; set; }

    /// <summary>
    /// SHA-256 of the client secret, lower-case hex. The secret is 256 bits from the OS CSPRNG, so no one can guess it
    /// and a slow password hash (PBKDF2) would buy nothing but CPU on every token request; a fast hash suffices, as for API keys.
    /// </summary>
    public required string SecretHash { get; set; }

    /// <summary>Changed by every secret rotation; access tokens carry it, so tokens issued for an old secret die with it.</summary>
    public Guid SecretStamp { get; set; } = Guid.NewGuid();

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public string? CreatedBy { get; set; }

    public Guid Version { get; set; } = Guid.NewGuid();
}
