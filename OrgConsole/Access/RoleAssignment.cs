namespace OrgConsole.Access;

/// <summary>
/// A role held by a principal (person, service account or API key) on an organization
/// (<see cref="ProjectId"/> null) or on one of its projects. Shaped like the Admin API's role bindings.
/// An organization-level row for a user is that user's membership.
/// </summary>
public sealed class RoleAssignment
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid OrganizationId { get; set; }

    public Guid? ProjectId { get; set; }

    public PrincipalType PrincipalType { get; set; }

    public required string PrincipalId { get; set; }

    public Role Role { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// The principal's display name, copied here so member lists can search, sort and page on this table's indexes alone
    /// (SPEC §3: fast at 100,000 members). Kept current by <see cref="ForUser"/> and <see cref="PrincipalLabels"/>.
    /// </summary>
    public string? PrincipalName { get; set; }

    /// <summary>The principal's email (people only), copied for the same reason as <see cref="PrincipalName"/>.</summary>
    public string? PrincipalEmail { get; set; }

    /// <summary>
    /// The member list's row for this person: exactly one of a person's organization rows (their most privileged role)
    /// is marked, so the list reads one indexed row per member. Set only by database triggers
    /// (<see cref="Data.MemberListing"/>), never by code: whatever adds or removes a role keeps it right.
    /// </summary>
    public bool IsListed { get; private set; }

    /// <summary>A role held by a person, with their name and email cached for the member lists.</summary>
    public static RoleAssignment ForUser(Data.ApplicationUser user, Guid organizationId, Role role, DateTime now, Guid? projectId = null) => new()
    {
        OrganizationId = organizationId,
        ProjectId = projectId,
        PrincipalType = PrincipalType.User,
        PrincipalId = user.Id,
        Role = role,
        CreatedAt = now,
        PrincipalName = user.Name,
        PrincipalEmail = user.Email,
    };
}
