using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OrgConsole.Access;

// Access knows no feature: the foreign keys of these rows to organizations and projects are declared by those features
// (OrganizationConfiguration, ProjectConfiguration).

public sealed class RoleAssignmentConfiguration : IEntityTypeConfiguration<RoleAssignment>
{
    public void Configure(EntityTypeBuilder<RoleAssignment> ra)
    {
        ra.Property(r => r.PrincipalId).HasMaxLength(450);
        // Role bindings are a set (SPEC §1.3a): one row per (principal, resource, role), on the organization and on a project.
        ra.HasIndex(r => new { r.OrganizationId, r.PrincipalType, r.PrincipalId, r.Role })
            .IsUnique().HasFilter("\"ProjectId\" IS NULL").HasDatabaseName("IX_RoleAssignments_OrgPrincipalRole");
        ra.HasIndex(r => new { r.ProjectId, r.PrincipalType, r.PrincipalId, r.Role })
            .IsUnique().HasFilter("\"ProjectId\" IS NOT NULL").HasDatabaseName("IX_RoleAssignments_ProjectPrincipalRole");
        ra.HasIndex(r => new { r.PrincipalType, r.PrincipalId });
        ra.Property(r => r.PrincipalName).HasMaxLength(256);
        ra.Property(r => r.PrincipalEmail).HasMaxLength(256);
        // The members table pages, sorts and counts a whole organization on these alone.
        // One row per member: the row the triggers of MemberListing mark as the person's listing row.
        const string members = "\"ProjectId\" IS NULL AND \"PrincipalType\" = 'User' AND \"IsListed\"";
        ra.HasIndex(r => new { r.OrganizationId, r.PrincipalEmail, r.PrincipalName }).HasFilter(members).HasDatabaseName("IX_Members_Email");
        ra.HasIndex(r => new { r.OrganizationId, r.PrincipalName, r.PrincipalEmail }).HasFilter(members).HasDatabaseName("IX_Members_Name");
        ra.HasIndex(r => new { r.OrganizationId, r.Role, r.PrincipalEmail }).HasFilter(members).HasDatabaseName("IX_Members_Role");
        ra.HasIndex(r => new { r.OrganizationId, r.CreatedAt, r.PrincipalEmail }).HasFilter(members).HasDatabaseName("IX_Members_Joined");
    }
}

public sealed class SupportVisitConfiguration : IEntityTypeConfiguration<SupportVisit>
{
    public void Configure(EntityTypeBuilder<SupportVisit> visit)
    {
        visit.Property(v => v.StaffUserId).HasMaxLength(450);
        visit.Property(v => v.Reason).HasMaxLength(200);
        visit.HasIndex(v => new { v.StaffUserId, v.OrganizationId, v.ExpiresAt });
    }
}
