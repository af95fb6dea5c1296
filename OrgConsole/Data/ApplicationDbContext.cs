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

        // Each feature maps its own rows (IEntityTypeConfiguration classes beside its entities).
        builder.ApplyConfigurationsFromAssembly(typeof(ApplicationDbContext).Assembly);
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
