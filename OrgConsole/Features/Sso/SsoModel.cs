using Microsoft.EntityFrameworkCore;
using OrgConsole.Features.Organizations;

namespace OrgConsole.Features.Sso;

/// <summary>The SSO tables, configured from <see cref="Data.ApplicationDbContext"/>.</summary>
public static class SsoModel
{
    public static void Configure(ModelBuilder builder)
    {
        builder.Entity<SsoConnection>(connection =>
        {
            connection.ToTable("SsoConnections");
            connection.Property(c => c.Issuer).HasMaxLength(SsoRules.IssuerMaxLength);
            connection.Property(c => c.ClientId).HasMaxLength(SsoRules.ClientIdMaxLength);
            connection.Property(c => c.ProtectedClientSecret).HasMaxLength(4000);
            connection.Property(c => c.ClientSecretLast4).HasMaxLength(4);
            connection.HasIndex(c => c.OrganizationId).IsUnique();
            connection.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
            connection.HasMany(c => c.Domains).WithOne().HasForeignKey(d => d.ConnectionId).OnDelete(DeleteBehavior.Cascade);
            connection.Property(c => c.Version).IsConcurrencyToken();
        });

        builder.Entity<SsoDomain>(domain =>
        {
            domain.ToTable("SsoDomains");
            domain.Property(d => d.Domain).HasMaxLength(253);
            // One organization per domain, across the whole installation; stored lower case, so unique case-insensitively.
            domain.HasIndex(d => d.Domain).IsUnique();
            domain.HasIndex(d => d.OrganizationId);
        });
    }
}
