using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OrgConsole.Access;
using OrgConsole.Features.Billing;

namespace OrgConsole.Features.Organizations;

/// <summary>
/// The organization row, and the organization foreign keys of the rows of the layers below it (Access's role
/// assignments and support visits) and of Billing, which organizations use but which does not know them.
/// Deleting an organization deletes them all.
/// </summary>
public sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> org)
    {
        org.Property(o => o.Name).HasMaxLength(512);
        org.Property(o => o.CreatedByUserId).HasMaxLength(450);
        org.Property(o => o.CreatedByEmail).HasMaxLength(256);
        org.HasIndex(o => o.CreatedByEmail).IsUnique();
        org.Property(o => o.Version).IsConcurrencyToken();

        org.HasMany<RoleAssignment>().WithOne().HasForeignKey(r => r.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        org.HasMany<SupportVisit>().WithOne().HasForeignKey(v => v.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        org.HasMany<BillingAccount>().WithOne().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        org.HasMany<UsageRecord>().WithOne().HasForeignKey(u => u.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        org.HasMany<Invoice>().WithOne().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        org.HasMany<SpendAlertSent>().WithOne().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
