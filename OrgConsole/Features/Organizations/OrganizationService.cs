using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Members;

namespace OrgConsole.Features.Organizations;

public sealed record OrganizationSummary(Guid Id, string Name, Role Role);

public sealed record OrganizationDetails(Guid Id, string Name, Plan Plan, DateTime CreatedAt, int MemberCount, int ProjectCount, Role YourRole)
{
    /// <summary>The support plan (Free when billing was never set up).</summary>
    public Billing.SupportPlan SupportPlan { get; init; }

    /// <summary>When the oldest unpaid invoice was issued, if any: the basis of the payment status.</summary>
    public DateTime? OldestUnpaidInvoiceIssuedAt { get; init; }

    /// <summary>Active while every invoice is paid; PaymentPending with an open invoice; PastDue once one is 30 days old.</summary>
    public string PaymentStatusAt(DateTime now) => OldestUnpaidInvoiceIssuedAt switch
    {
        null => "Active",
        { } issued when issued < now.AddDays(-30) => "PastDue",
        _ => "PaymentPending",
    };
}

public sealed class OrganizationOptions
{
    /// <summary>How long a deleted organization can still be restored by support before the purge job removes it.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>Where people ask support for help (restoring a deleted organization): an email address.</summary>
    public string SupportEmail { get; set; } = "support@orgconsole.example";
}

/// <summary>The organization the current user's email created and then deleted, while support can still restore it.</summary>
public sealed record DeletedOrganization(string Name, DateTime DeletedAt, DateTime RestorableUntil, string SupportEmail);

public sealed class OrganizationService(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    Authorizer authorizer,
    AuditLog audit,
    TimeProvider time,
    IOptions<OrganizationOptions> options)
{
    /// <summary>The organizations the current user belongs to, by name.</summary>
    public async Task<IReadOnlyList<OrganizationSummary>> ListMineAsync(CancellationToken ct = default)
    {
        var actor = authorizer.Actor;
        if (!actor.IsUser) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await (
            from ra in db.RoleAssignments
            join org in db.Organizations on ra.OrganizationId equals org.Id
            where ra.ProjectId == null && ra.PrincipalType == PrincipalType.User && ra.PrincipalId == actor.Id && org.DeletedAt == null
            orderby org.Name
            select new OrganizationSummary(org.Id, org.Name, ra.Role)).AsNoTracking().ToListAsync(ct);
        // One entry per organization, named by the most privileged of the roles held there.
        return rows.GroupBy(r => r.Id).Select(g => g.MinBy(r => r.Role)!).ToList();
    }

    /// <summary>The organization the console should open on: the last used one while still a member, else the first.</summary>
    public async Task<Guid?> GetStartOrganizationAsync(CancellationToken ct = default)
    {
        var mine = await ListMineAsync(ct);
        if (mine.Count == 0) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var last = await db.Users.Where(u => u.Id == authorizer.Actor.Id).Select(u => u.LastOrganizationId).FirstOrDefaultAsync(ct);
        return mine.Any(o => o.Id == last) ? last : mine[0].Id;
    }

    /// <summary>Whether the current user may still create an organization (an email creates at most one).</summary>
    public async Task<bool> CanCreateAsync(CancellationToken ct = default)
    {
        var actor = authorizer.Actor;
        if (!actor.IsUser) return false;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var email = await db.Users.Where(u => u.Id == actor.Id).Select(u => u.NormalizedEmail).FirstOrDefaultAsync(ct);
        return email is not null && !await db.Organizations.AnyAsync(o => o.CreatedByEmail == email, ct);
    }

    /// <summary>
    /// The organization this user's email created and deleted, while it is in the restore window: why they cannot
    /// create another, and how to get it back. Null when there is none (or it was purged).
    /// </summary>
    public async Task<DeletedOrganization?> GetMyDeletedOrganizationAsync(CancellationToken ct = default)
    {
        var actor = authorizer.Actor;
        if (!actor.IsUser) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var email = await db.Users.Where(u => u.Id == actor.Id).Select(u => u.NormalizedEmail).FirstOrDefaultAsync(ct);
        if (email is null) return null;
        var deleted = await db.Organizations.AsNoTracking()
            .Where(o => o.CreatedByEmail == email && o.DeletedAt != null)
            .OrderByDescending(o => o.DeletedAt).Select(o => new { o.Name, DeletedAt = o.DeletedAt!.Value, o.PurgeAfter }).FirstOrDefaultAsync(ct);
        return deleted is null ? null
            : new DeletedOrganization(deleted.Name, deleted.DeletedAt, deleted.PurgeAfter ?? deleted.DeletedAt.AddDays(options.Value.RetentionDays), options.Value.SupportEmail);
    }

    public Task<Result<Guid>> CreateAsync(string? name, CancellationToken ct = default)
    {
        var actor = authorizer.Actor;
        if (!actor.IsUser) return Task.FromResult<Result<Guid>>(Error.Forbidden("Sign in to create an organization."));
        var validName = OrganizationRules.ValidateName(name);
        if (!validName.IsSuccess) return Task.FromResult<Result<Guid>>(validName.Error);

        return dbFactory.WriteAsync<Guid>(async db =>
        {
            var user = await db.Users.FirstOrDefaultAsync(u => u.Id == actor.Id, ct);
            if (user?.NormalizedEmail is null) return Error.Forbidden("Sign in to create an organization.");
            if (await db.Organizations.AnyAsync(o => o.CreatedByEmail == user.NormalizedEmail, ct))
            {
                return Error.Conflict($"{user.Email} has already created an organization. An email address can create only one organization, but it can be invited to others.");
            }

            var now = time.UtcNow();
            var org = new Organization
            {
                Id = Guid.NewGuid(),
                Name = validName.Value,
                CreatedByUserId = user.Id,
                CreatedByEmail = user.NormalizedEmail,
                CreatedAt = now,
            };
            db.Organizations.Add(org);
            db.RoleAssignments.Add(RoleAssignment.ForUser(user, org.Id, Role.OrgOwner, now));
            user.LastOrganizationId = org.Id;
            await audit.AppendAsync(db, actor, org.Id, new AuditEntry("organization.created", "organization", org.Id.ToString(),
                After: new { org.Name, Plan = org.Plan.ToString() }), ct);
            return org.Id;
        }, ct);
    }

    public async Task<Result<OrganizationDetails>> GetAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var details = await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId)
            .Select(o => new OrganizationDetails(o.Id, o.Name, o.Plan, o.CreatedAt,
                db.RoleAssignments.Where(r => r.OrganizationId == o.Id && r.ProjectId == null && r.PrincipalType == PrincipalType.User)
                    .Select(r => r.PrincipalId).Distinct().Count(),
                db.Projects.Count(p => p.OrganizationId == o.Id),
                access.Value.Role)
            {
                SupportPlan = db.BillingAccounts.Where(a => a.OrganizationId == o.Id).Select(a => (Billing.SupportPlan?)a.SupportPlan).FirstOrDefault() ?? Billing.SupportPlan.Free,
                OldestUnpaidInvoiceIssuedAt = db.Invoices.Where(i => i.OrganizationId == o.Id && i.Status == Billing.InvoiceStatus.Open)
                    .OrderBy(i => i.IssuedAt).Select(i => (DateTime?)i.IssuedAt).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        return details is null ? Error.NotFound("The organization") : details;
    }

    /// <summary>
    /// How many of the organization's members have not turned on two-factor sign-in: an owner's security signal, so it
    /// asks the owner-only permission that manages members.
    /// </summary>
    public async Task<Result<int>> CountMembersWithoutTwoFactorAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateMemberRoles, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var memberIds = db.RoleAssignments
            .Where(r => r.OrganizationId == organizationId && r.ProjectId == null && r.PrincipalType == PrincipalType.User)
            .Select(r => r.PrincipalId);
        return await db.Users.AsNoTracking().CountAsync(u => memberIds.Contains(u.Id) && !u.TwoFactorEnabled, ct);
    }

    public async Task<Result> RenameAsync(Guid organizationId, string? name, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateOrganizationName, ct);
        if (!access.IsSuccess) return access.Error;
        var validName = OrganizationRules.ValidateName(name);
        if (!validName.IsSuccess) return validName.Error;

        return await dbFactory.WriteAsync(async db =>
        {
            var org = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId && o.DeletedAt == null, ct);
            if (org is null) return Error.NotFound("The organization");
            if (org.Name == validName.Value) return Result.Ok();
            var before = org.Name;
            org.Name = validName.Value;
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("organization.renamed", "organization",
                organizationId.ToString(), Before: new { Name = before }, After: new { Name = org.Name }), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>
    /// Soft-deletes the organization: members lose access at once; the purge job removes it after the retention period.
    /// Refused while it still has projects. <paramref name="confirmationName"/> must repeat the name exactly.
    /// </summary>
    public async Task<Result> DeleteAsync(Guid organizationId, string? confirmationName, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.DeleteOrganization, ct);
        if (!access.IsSuccess) return access.Error;

        return await dbFactory.WriteAsync(async db =>
        {
            var org = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId && o.DeletedAt == null, ct);
            if (org is null) return Error.NotFound("The organization");
            if (!string.Equals(confirmationName?.Trim(), org.Name, StringComparison.Ordinal))
            {
                return Error.Validation("ConfirmationName", $"Type the organization's name, {org.Name}, to confirm.");
            }
            var projects = await db.Projects.CountAsync(p => p.OrganizationId == organizationId, ct);
            if (projects > 0)
            {
                return Error.Conflict($"This organization still has {projects} project{(projects == 1 ? "" : "s")}. Delete {(projects == 1 ? "it" : "them")} first, then delete the organization.");
            }
            var unpaid = await db.Invoices.Where(i => i.OrganizationId == organizationId && i.Status == Billing.InvoiceStatus.Open)
                .Select(i => i.Number).ToListAsync(ct);
            if (unpaid.Count > 0)
            {
                return Error.Conflict($"This organization has {(unpaid.Count == 1 ? "an unpaid invoice" : $"{unpaid.Count} unpaid invoices")} ({string.Join(", ", unpaid)}). Pay {(unpaid.Count == 1 ? "it" : "them")} first, then delete the organization.");
            }
            var now = time.UtcNow();
            org.DeletedAt = now;
            org.PurgeAfter = now.AddDays(options.Value.RetentionDays);
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("organization.deleted", "organization",
                organizationId.ToString(), Before: new { org.Name }, After: new { org.DeletedAt, org.PurgeAfter }), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>
    /// Remembers the organization the user switched to, so the console opens there next time. Every page load of an
    /// organization asks this, so the usual case (already remembered) is one read and no write.
    /// </summary>
    public async Task<Result> SwitchToAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = db.Users.Where(u => u.Id == access.Value.Actor.Id);
        if (await user.AnyAsync(u => u.LastOrganizationId == organizationId, ct)) return Result.Ok();
        await user.ExecuteUpdateAsync(s => s.SetProperty(u => u.LastOrganizationId, organizationId), ct);
        return Result.Ok();
    }

    /// <summary>
    /// Removes organizations whose retention period has ended (run by <see cref="OrganizationPurgeJob"/>).
    /// Their projects and role assignments go with them; their audit trail stays, append-only.
    /// </summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken ct = default)
    {
        var now = time.UtcNow();
        await using var lookup = await dbFactory.CreateDbContextAsync(ct);
        var due = await lookup.Organizations.Where(o => o.DeletedAt != null && o.PurgeAfter <= now).Select(o => o.Id).ToListAsync(ct);
        var purged = 0;
        foreach (var id in due)
        {
            var result = await dbFactory.WriteAsync(async db =>
            {
                var org = await db.Organizations.FirstOrDefaultAsync(o => o.Id == id && o.DeletedAt != null && o.PurgeAfter <= now, ct);
                if (org is null) return Error.NotFound("The organization");
                // Projects and role assignments go by the foreign keys' cascade.
                db.Organizations.Remove(org);
                await db.Users.Where(u => u.LastOrganizationId == id).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastOrganizationId, (Guid?)null), ct);
                await audit.AppendAsync(db, Actor.System, id, new AuditEntry("organization.purged", "organization", id.ToString(),
                    Before: new { org.Name, org.DeletedAt }), ct);
                return Result.Ok();
            }, ct);
            if (result.IsSuccess) purged++;
        }
        return purged;
    }
}
