namespace OrgConsole.Access;

/// <summary>
/// A support person's read-only visit to one organization (SPEC §8), kept on the server so it lasts across reloads and
/// tabs until <see cref="ExpiresAt"/>: the authorizer grants the SupportViewer role while one is open.
/// </summary>
public sealed class SupportVisit
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string StaffUserId { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>The reason given when the visit was opened (a ticket reference), shown to the organization's owners.</summary>
    public required string Reason { get; set; }

    public DateTime OpenedAt { get; set; }

    /// <summary>When the visit ends by itself; ending it early moves this to the moment it ended.</summary>
    public DateTime ExpiresAt { get; set; }
}
