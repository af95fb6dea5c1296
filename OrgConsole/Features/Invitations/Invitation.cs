using OrgConsole.Access;

namespace OrgConsole.Features.Invitations;

public enum InvitationStatus
{
    Pending,
    Accepted,
    Revoked,
}

/// <summary>What a person sees in the invitations list: a pending invitation past its expiry shows as expired.</summary>
public enum InvitationState
{
    Pending,
    Expired,
    Accepted,
    Revoked,
}

/// <summary>
/// An invitation to join an organization. The link's token is 256 bits from the CSPRNG and only its SHA-256 is
/// stored; a resend replaces it, so the old link dies. One pending invitation per email and organization.
/// </summary>
public sealed class Invitation
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public required string Email { get; set; }

    public required string NormalizedEmail { get; set; }

    /// <summary>
    /// The invite's role bindings (SPEC §1.3a: a pending invite is a principal): at least one organization role while
    /// pending, plus project roles; on acceptance every one becomes the user's. Kept afterwards as the invitation's record.
    /// </summary>
    public List<InvitationRole> Roles { get; set; } = [];

    public required string TokenHash { get; set; }

    public InvitationStatus Status { get; set; }

    public DateTime CreatedAt { get; set; }

    public string? CreatedByUserId { get; set; }

    public DateTime ExpiresAt { get; set; }

    public DateTime LastSentAt { get; set; }

    public int SendCount { get; set; }

    public DateTime? AcceptedAt { get; set; }

    public string? AcceptedByUserId { get; set; }

    public DateTime? RevokedAt { get; set; }

    public Guid Version { get; set; } = Guid.NewGuid();

    public InvitationState StateAt(DateTime now) => Status switch
    {
        InvitationStatus.Accepted => InvitationState.Accepted,
        InvitationStatus.Revoked => InvitationState.Revoked,
        _ => ExpiresAt <= now ? InvitationState.Expired : InvitationState.Pending,
    };
}

/// <summary>One role binding of an invite: an organization role (<see cref="ProjectId"/> null) or a project role.</summary>
public sealed class InvitationRole
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid InvitationId { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid? ProjectId { get; set; }

    public Role Role { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>One invitation email sent; counted for the per-organization hourly limit.</summary>
public sealed class InvitationEmailSend
{
    public long Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid InvitationId { get; set; }

    public DateTime SentAt { get; set; }
}
