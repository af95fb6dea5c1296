using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using OrgConsole.Access;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Billing;
using OrgConsole.Features.Email;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Projects;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole.Data;

public class ApplicationDbContext : IdentityDbContext<ApplicationUser>, IDataProtectionKeyContext
{
    public ApplicationDbContext(DbContextOptions<ApplicationDbContext> options) : base(options) { }

    /// <summary>For the per-provider subclass that owns another provider's migrations (<see cref="PostgresDbContext"/>).</summary>
    protected ApplicationDbContext(DbContextOptions options) : base(options) { }

    /// <summary>Fixed here (not only in IdentityOptions) so every context — tests, tools — builds the same model.</summary>
    protected override Version SchemaVersion => IdentitySchemaVersions.Version3;

    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<RoleAssignment> RoleAssignments => Set<RoleAssignment>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<InvitationRole> InvitationRoles => Set<InvitationRole>();
    public DbSet<InvitationEmailSend> InvitationEmailSends => Set<InvitationEmailSend>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<OutboxEmail> OutboxEmails => Set<OutboxEmail>();
    public DbSet<BillingAccount> BillingAccounts => Set<BillingAccount>();
    public DbSet<UsageRecord> UsageRecords => Set<UsageRecord>();
    public DbSet<Invoice> Invoices => Set<Invoice>();
    public DbSet<SpendAlertSent> SpendAlertsSent => Set<SpendAlertSent>();
    public DbSet<ServiceAccount> ServiceAccounts => Set<ServiceAccount>();
    public DbSet<Common.StoredSigningKey> TokenSigningKeys => Set<Common.StoredSigningKey>();
    public DbSet<SupportVisit> SupportVisits => Set<SupportVisit>();
    public DbSet<Common.Jobs.JobLease> JobLeases => Set<Common.Jobs.JobLease>();

    /// <summary>The shared Data Protection key ring, when the app keeps it in the database (several instances).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>
    /// The members whose name or email contains a text, from the trigram full-text index (FTS5's table-valued form,
    /// <c>"MemberSearch"('"text"')</c>). Composable in LINQ and in compiled queries.
    /// </summary>
    public IQueryable<MemberSearchHit> SearchMembers(string phrase) => FromExpression(() => SearchMembers(phrase));

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC; the providers forget the Kind on the way back, so restore it.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<Role>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<PrincipalType>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<ActorType>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<Plan>().HaveConversion<string>().HaveMaxLength(32);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<MemberSearchHit>(hit =>
        {
            hit.HasNoKey();
            hit.ToTable(MemberSearchIndex.Table, t => t.ExcludeFromMigrations()); // created by the migration's SQL
        });
        builder.HasDbFunction(typeof(ApplicationDbContext).GetMethod(nameof(SearchMembers), [typeof(string)])!).HasName(MemberSearchIndex.Table);

        builder.Entity<ApplicationUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(200);
        });

        builder.Entity<Organization>(org =>
        {
            org.Property(o => o.Name).HasMaxLength(512);
            org.Property(o => o.CreatedByUserId).HasMaxLength(450);
            org.Property(o => o.CreatedByEmail).HasMaxLength(256);
            org.HasIndex(o => o.CreatedByEmail).IsUnique();
            org.Property(o => o.Version).IsConcurrencyToken();
        });

        builder.Entity<Project>(project =>
        {
            project.Property(p => p.Name).HasMaxLength(512);
            project.Property(p => p.NormalizedName).HasMaxLength(512);
            project.HasIndex(p => new { p.OrganizationId, p.NormalizedName }).IsUnique();
            project.HasOne<Organization>().WithMany().HasForeignKey(p => p.OrganizationId).OnDelete(DeleteBehavior.Cascade);
            project.Property(p => p.Version).IsConcurrencyToken();
        });

        builder.Entity<RoleAssignment>(ra =>
        {
            ra.Property(r => r.PrincipalId).HasMaxLength(450);
            ra.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId).OnDelete(DeleteBehavior.Cascade);
            ra.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
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
        });

        builder.Entity<ApiKey>(key =>
        {
            key.Property(k => k.Name).HasMaxLength(80);
            key.Property(k => k.Label).HasMaxLength(32);
            key.Property(k => k.SecretHash).HasMaxLength(64);
            key.HasIndex(k => k.Label).IsUnique();
            key.HasIndex(k => k.ProjectId);
            key.HasOne<Project>().WithMany().HasForeignKey(k => k.ProjectId).OnDelete(DeleteBehavior.Cascade);
            key.Property(k => k.Version).IsConcurrencyToken();
        });

        builder.Entity<Invitation>(invitation =>
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
        });

        builder.Entity<InvitationRole>(binding =>
        {
            // An invite's role bindings are a set too (SPEC §1.3a); a deleted project takes its invite bindings with it.
            binding.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
            binding.HasIndex(r => new { r.InvitationId, r.Role }).IsUnique().HasFilter("\"ProjectId\" IS NULL").HasDatabaseName("IX_InvitationRoles_OrgRole");
            binding.HasIndex(r => new { r.InvitationId, r.ProjectId, r.Role }).IsUnique().HasFilter("\"ProjectId\" IS NOT NULL").HasDatabaseName("IX_InvitationRoles_ProjectRole");
            binding.HasIndex(r => new { r.OrganizationId, r.CreatedAt });
        });

        builder.Entity<InvitationEmailSend>(send =>
        {
            send.HasIndex(s => new { s.OrganizationId, s.SentAt });
        });

        builder.Entity<AuditEvent>(audit =>
        {
            audit.Property(a => a.ChainKey).HasMaxLength(64);
            audit.Property(a => a.Action).HasMaxLength(100);
            audit.Property(a => a.Hash).HasMaxLength(64);
            audit.Property(a => a.PreviousHash).HasMaxLength(64);
            audit.Property(a => a.KeyId).HasMaxLength(32);
            audit.Property(a => a.ActorLabel).HasMaxLength(AuditLabels.MaxLength);
            audit.Property(a => a.TargetLabel).HasMaxLength(AuditLabels.MaxLength);
            audit.HasIndex(a => new { a.ChainKey, a.Sequence }).IsUnique();
            audit.HasIndex(a => new { a.OrganizationId, a.OccurredAt });
        });

        builder.Entity<ServiceAccount>(account =>
        {
            account.Property(a => a.Name).HasMaxLength(80);
            account.Property(a => a.ClientId).HasMaxLength(64);
            account.Property(a => a.SecretHash).HasMaxLength(64);
            account.Property(a => a.CreatedBy).HasMaxLength(450);
            account.HasIndex(a => a.ClientId).IsUnique();
            account.HasIndex(a => new { a.OrganizationId, a.CreatedAt });
            account.HasOne<Organization>().WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Cascade);
            account.Property(a => a.Version).IsConcurrencyToken();
        });

        builder.Entity<Common.StoredSigningKey>(key =>
        {
            key.ToTable("TokenSigningKeys");
            key.Property(k => k.Id).HasMaxLength(64);
            key.Property(k => k.Key).HasMaxLength(512);
        });

        builder.Entity<Common.Jobs.JobLease>(lease =>
        {
            lease.HasKey(l => l.Name);
            lease.Property(l => l.Name).HasMaxLength(100);
            lease.Property(l => l.Holder).HasMaxLength(200);
        });

        builder.Entity<OutboxEmail>(mail =>
        {
            mail.Property(m => m.To).HasMaxLength(256);
            mail.Property(m => m.Subject).HasMaxLength(500);
            mail.HasIndex(m => m.CreatedAt);
        });

        BillingModel.Configure(builder);
        Features.Sso.SsoModel.Configure(builder);
        SupportVisit.Configure(builder);
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
