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
}
