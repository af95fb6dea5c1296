using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OrgConsole.Access;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Features.Organizations;

namespace OrgConsole.Features.Projects;

/// <summary>
/// The project row, and the project foreign keys of Access's role assignments and of the project's API keys
/// (the project page hosts the keys; the keys do not know projects). Deleting a project deletes them.
/// </summary>
public sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> project)
    {
        project.Property(p => p.Name).HasMaxLength(512);
        project.Property(p => p.NormalizedName).HasMaxLength(512);
        project.HasIndex(p => new { p.OrganizationId, p.NormalizedName }).IsUnique();
        project.HasOne<Organization>().WithMany().HasForeignKey(p => p.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        project.Property(p => p.Version).IsConcurrencyToken();

        project.HasMany<RoleAssignment>().WithOne().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        project.HasMany<ApiKey>().WithOne().HasForeignKey(k => k.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
