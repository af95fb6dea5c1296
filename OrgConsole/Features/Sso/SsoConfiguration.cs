using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OrgConsole.Features.Organizations;

namespace OrgConsole.Features.Sso;

// The SSO tables.

public sealed class SsoConnectionConfiguration : IEntityTypeConfiguration<SsoConnection>
{
    public void Configure(EntityTypeBuilder<SsoConnection> connection)
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
    }
}

public sealed class SsoDomainConfiguration : IEntityTypeConfiguration<SsoDomain>
{
    public void Configure(EntityTypeBuilder<SsoDomain> domain)
    {
        domain.ToTable("SsoDomains");
        domain.Property(d => d.Domain).HasMaxLength(253);
        domain.Property(d => d.VerificationToken).HasMaxLength(64);
        // Any number of organizations may claim a domain, but at most one holds it verified (stored lower case,
        // so unique case-insensitively). The filter keeps unverified claims out of the uniqueness rule.
        domain.HasIndex(d => d.Domain, "IX_SsoDomains_Domain_Verified").IsUnique().HasFilter("\"VerifiedAt\" IS NOT NULL");
        domain.HasIndex(d => d.Domain, "IX_SsoDomains_Domain");
        domain.HasIndex(d => new { d.ConnectionId, d.Domain }).IsUnique();
        domain.HasIndex(d => d.OrganizationId);
    }
}
