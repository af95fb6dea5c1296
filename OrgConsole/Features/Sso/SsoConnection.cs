using OrgConsole.Access;

namespace OrgConsole.Features.Sso;

/// <summary>An organization's OpenID Connect identity provider (SPEC §6). One per organization.</summary>
public sealed class SsoConnection
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>The issuer URL as the owner entered it; its discovery document is at <c>/.well-known/openid-configuration</c>.</summary>
    public required string Issuer { get; set; }

    public required string ClientId { get; set; }

    /// <summary>The client secret, encrypted with ASP.NET Data Protection; it is needed in clear to call the provider, so it cannot be a hash.</summary>
    public required string ProtectedClientSecret { get; set; }

    /// <summary>The secret's last four characters, so the owner can recognise it without it being shown again.</summary>
    public required string ClientSecretLast4 { get; set; }

    /// <summary>The organization role of people who join through the provider. Never Owner.</summary>
    public Role DefaultRole { get; set; } = Role.OrgMember;

    /// <summary>When on, people in the covered domains may sign in only through the provider.</summary>
    public bool EnforceSso { get; set; }

    public List<SsoDomain> Domains { get; set; } = [];

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public Guid Version { get; set; } = Guid.NewGuid();
}

/// <summary>
/// An email domain an organization claims for its provider (SPEC §6). A claim counts — routes sign-ins, links accounts,
/// is enforced — only once verified through its DNS TXT challenge. Several organizations may claim a domain; at most one
/// holds it verified.
/// </summary>
public sealed class SsoDomain
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid ConnectionId { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>Lower case, ASCII (internationalized names in their xn-- form).</summary>
    public required string Domain { get; set; }

    /// <summary>The random value the owner publishes as <c>_orgconsole-challenge.&lt;domain&gt; TXT "orgconsole-verification=&lt;token&gt;"</c>.</summary>
    public required string VerificationToken { get; set; }

    public DateTime ClaimedAt { get; set; }

    /// <summary>When the DNS challenge was last found; null while unverified (or after the record disappeared).</summary>
    public DateTime? VerifiedAt { get; set; }
}
