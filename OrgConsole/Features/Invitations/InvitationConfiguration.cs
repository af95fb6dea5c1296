using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Projects;

namespace OrgConsole.Features.Invitations;

public sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> invitation)
    {
        invitation.Property(i => i.Email).HasMaxLength(256);
        invitation.Property(i => i.NormalizedEmail).HasMaxLength(256);
        invitation.Property(i => i.TokenHash).HasMaxLength(64);
        invitation.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
        invitation.HasIndex(i => i.TokenHash).IsUnique();
        invitation.HasIndex(i => new { i.OrganizationId, i.NormalizedEmail }).IsUnique()
            .HasFilter("\"Status\" = 'Pending'").HasDatabaseName("IX_Invitations_OnePendingPerEmail");
        invitation.HasIndex(i => new { i.OrganizationId, i.CreatedAt });
        invitation.HasOne<Organization>().WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        invitation.Property(i => i.Version).IsConcurrencyToken();
        invitation.HasMany(i => i.Roles).WithOne().HasForeignKey(r => r.InvitationId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class InvitationRoleConfiguration : IEntityTypeConfiguration<InvitationRole>
{
    public void Configure(EntityTypeBuilder<InvitationRole> binding)
    {
        // An invite's role bindings are a set too (SPEC §1.3a); a deleted project takes its invite bindings with it.
        binding.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        binding.HasIndex(r => new { r.InvitationId, r.Role }).IsUnique().HasFilter("\"ProjectId\" IS NULL").HasDatabaseName("IX_InvitationRoles_OrgRole");
        binding.HasIndex(r => new { r.InvitationId, r.ProjectId, r.Role }).IsUnique().HasFilter("\"ProjectId\" IS NOT NULL").HasDatabaseName("IX_InvitationRoles_ProjectRole");
        binding.HasIndex(r => new { r.OrganizationId, r.CreatedAt });
    }
}

public sealed class InvitationEmailSendConfiguration : IEntityTypeConfiguration<InvitationEmailSend>
{
    public void Configure(EntityTypeBuilder<InvitationEmailSend> send) => send.HasIndex(s => new { s.OrganizationId, s.SentAt });
}
