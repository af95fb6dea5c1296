using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OrgConsole.Features.Organizations;

namespace OrgConsole.Features.ServiceAccounts;

public sealed class ServiceAccountConfiguration : IEntityTypeConfiguration<ServiceAccount>
{
    public void Configure(EntityTypeBuilder<ServiceAccount> account)
    {
        account.Property(a => a.Name).HasMaxLength(80);
        account.Property(a => a.ClientId).HasMaxLength(64);
        account.Property(a => a.SecretHash).HasMaxLength(64);
        account.Property(a => a.CreatedBy).HasMaxLength(450);
        account.HasIndex(a => a.ClientId).IsUnique();
        account.HasIndex(a => new { a.OrganizationId, a.CreatedAt });
        account.HasOne<Organization>().WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        account.Property(a => a.Version).IsConcurrencyToken();
    }
}
