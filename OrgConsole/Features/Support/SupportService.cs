using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Plans;

namespace OrgConsole.Features.Support;

/// <summary>Settings of the support console (section "Support").</summary>
public sealed class SupportOptions
{
    public const int MaxVisitMinutes = 24 * 60;

    /// <summary>How long a support visit lasts across reloads and tabs once opened (SPEC §8: 60 minutes by default).</summary>
    public int VisitMinutes { get; set; } = 60;
}

public sealed record SupportSearchResult(Guid Id, string Name, Plan Plan, int MemberCount, DateTime CreatedAt, DateTime? DeletedAt, DateTime? PurgeAfter, string MatchedBy);

/// <summary>
/// The operator's support staff (platform role Support, SPEC §8): find organizations, visit one read-only after giving
/// a reason, and three actions — move a project, resend an invitation, restore a deleted organization. Every visit and
/// action is written to the organization's audit log as done by support, with the reason.
/// </summary>
public sealed class SupportService(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    ActorAccessor actors,
    AuditLog audit,
    TimeProvider time,
    InvitationService invitations,
    IOptions<SupportOptions> options)
{
    public const int ReasonMaxLength = 200;

    /// <summary>Organizations whose name or id contains the text, or that have a member whose email contains it.</summary>
    public async Task<Result<IReadOnlyList<SupportSearchResult>>> SearchAsync(string? text, CancellationToken ct = default)
    {
        var staff = await DemandStaffAsync(ct);
        if (!staff.IsSuccess) return staff.Error;
        var query = text?.Trim() ?? "";
        if (query.Length < 2) return Error.Validation("Query", "Type at least two characters of a name, an organization id or a member's email.");
        var upper = query.ToUpperInvariant();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var byName = Guid.TryParse(query, out var id)
            ? await db.Organizations.AsNoTracking().Where(o => o.Id == id).Select(o => new { Org = o, MatchedBy = "id" }).ToListAsync(ct)
            : await db.Organizations.AsNoTracking().Where(o => o.Name.ToUpper().Contains(upper))
                .Select(o => new { Org = o, MatchedBy = "name" }).Take(50).ToListAsync(ct);
        var byMember = await (
            from r in db.RoleAssignments.AsNoTracking()
            join o in db.Organizations.AsNoTracking() on r.OrganizationId equals o.Id
            where r.ProjectId == null && r.PrincipalType == PrincipalType.User && r.PrincipalEmail!.ToUpper().Contains(upper)
            select new { Org = o, MatchedBy = "member " + r.PrincipalEmail }).Take(50).ToListAsync(ct);
        return byName.Concat(byMember).DistinctBy(x => x.Org.Id)
            .Select(x => new SupportSearchResult(x.Org.Id, x.Org.Name, x.Org.Plan, x.Org.MemberCount, x.Org.CreatedAt, x.Org.DeletedAt, x.Org.PurgeAfter, x.MatchedBy))
            .OrderBy(r => r.Name).ToList();
    }

    /// <summary>
    /// Opens an organization read-only for this support person: records the visit and its reason in the organization's
    /// audit log and keeps it on the server for <see cref="SupportOptions.VisitMinutes"/>, so reloads and new tabs continue
    /// it (the authorizer grants the read-only SupportViewer role meanwhile). Opening it again while it lasts returns the
    /// same visit and writes no second access event.
    /// </summary>
    public async Task<Result<SupportSession>> OpenAsync(Guid organizationId, string? reason, CancellationToken ct = default)
    {
        var staff = await DemandStaffAsync(ct);
        if (!staff.IsSuccess) return staff.Error;
        var validReason = ValidateReason(reason);
        if (!validReason.IsSuccess) return validReason.Error;

        return await dbFactory.WriteAsync<SupportSession>(async db =>
        {
            var org = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, ct);
            if (org is null) return Error.NotFound("The organization");
            var now = time.UtcNow();
            if (await Authorizer.ActiveVisitAsync(db, staff.Value.Id, organizationId, now) is { } open)
            {
                return new SupportSession(organizationId, open.Reason, open.ExpiresAt);
            }
            var visit = new SupportVisit
            {
                StaffUserId = staff.Value.Id, OrganizationId = organizationId, Reason = validReason.Value, OpenedAt = now,
                ExpiresAt = now.AddMinutes(Math.Clamp(options.Value.VisitMinutes, 1, SupportOptions.MaxVisitMinutes)),
            };
            db.SupportVisits.Add(visit);
            var session = new SupportSession(organizationId, visit.Reason, visit.ExpiresAt);
            await audit.AppendAsync(db, staff.Value with { Type = ActorType.Support, Support = session }, organizationId,
                new AuditEntry("support.accessed", "organization", organizationId.ToString(), After: new { visit.ExpiresAt }, Reason: session.Reason), ct);
            return session;
        }, ct);
    }

    /// <summary>Ends this support person's visit to an organization now, in every tab.</summary>
    public async Task<Result> CloseAsync(Guid organizationId, CancellationToken ct = default)
    {
        var staff = await DemandStaffAsync(ct);
        if (!staff.IsSuccess) return staff.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.UtcNow();
        await db.SupportVisits.Where(v => v.StaffUserId == staff.Value.Id && v.OrganizationId == organizationId && v.ExpiresAt > now)
            .ExecuteUpdateAsync(u => u.SetProperty(v => v.ExpiresAt, now), ct);
        return Result.Ok();
    }

    /// <summary>This support person's visit to the organization, while it lasts.</summary>
    public async Task<SupportSession?> CurrentVisitAsync(Guid organizationId, CancellationToken ct = default)
    {
        var staff = await DemandStaffAsync(ct);
        if (!staff.IsSuccess) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Authorizer.ActiveVisitAsync(db, staff.Value.Id, organizationId, time.UtcNow()) is { } visit
            ? new SupportSession(organizationId, visit.Reason, visit.ExpiresAt) : null;
    }

    /// <summary>
    /// Moves a project to another organization (SPEC §4, §8). Allowed only into an organization that shares an Owner
    /// with the source — the customer who asked, named by email — and never into an organization the support person
    /// belongs to in any role, so support cannot take a customer's project. The project's API keys and service-account
    /// bindings are revoked (the customer makes new ones); its members who are not members of the target lose access.
    /// The move, with what it revoked, is recorded in both organizations.
    /// </summary>
    public async Task<Result> MoveProjectAsync(Guid projectId, Guid targetOrganizationId, string? sharedOwnerEmail, string? reason, CancellationToken ct = default)
    {
        var action = await DemandActionAsync(reason, ct);
        if (!action.IsSuccess) return action.Error;
        var (actor, validReason) = action.Value;
        var ownerEmail = sharedOwnerEmail?.Trim() ?? "";
        if (ownerEmail.Length == 0 || ownerEmail.Length > 256 || !ownerEmail.Contains('@'))
        {
            return Error.Validation(MoveOwnerField, "Enter the email of the customer who asked: an Owner of both organizations.");
        }

        return await dbFactory.WriteAsync(async db =>
        {
            var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, ct);
            if (project is null) return Error.NotFound("The project");
            var sourceId = project.OrganizationId;
            if (sourceId == targetOrganizationId) return Error.Validation("Target", "The project already belongs to that organization.");
            var target = await db.Organizations.FirstOrDefaultAsync(o => o.Id == targetOrganizationId && o.DeletedAt == null, ct);
            if (target is null) return Error.NotFound("The target organization");
            // Any role at all, on the organization or on one of its projects: support cannot move a project to itself.
            if (await db.RoleAssignments.AnyAsync(r => r.OrganizationId == targetOrganizationId && r.PrincipalType == PrincipalType.User && r.PrincipalId == actor.Id, ct))
            {
                return Error.Forbidden($"You belong to {target.Name}: support staff cannot move a project into an organization they belong to.");
            }
            var normalizedEmail = ownerEmail.ToUpperInvariant();
            var ownerId = await db.Users.Where(u => u.NormalizedEmail == normalizedEmail).Select(u => u.Id).FirstOrDefaultAsync(ct);
            var ownsBoth = ownerId is not null && await db.RoleAssignments.CountAsync(r => r.ProjectId == null && r.PrincipalType == PrincipalType.User
                && r.PrincipalId == ownerId && r.Role == Role.OrgOwner && (r.OrganizationId == sourceId || r.OrganizationId == targetOrganizationId), ct) == 2;
            if (!ownsBoth)
            {
                return Error.Validation(MoveOwnerField, $"{ownerEmail} is not an Owner of both organizations. A project moves only between organizations that share the Owner who asked.");
            }
            if (await db.Projects.AnyAsync(p => p.OrganizationId == targetOrganizationId && p.NormalizedName == project.NormalizedName, ct))
            {
                return Error.Conflict($"{target.Name} already has a project named \"{project.Name}\". Ask an owner to rename one of them first.");
            }
            var limits = PlanLimits.For(target.Plan);
            if (await db.Projects.CountAsync(p => p.OrganizationId == targetOrganizationId, ct) >= limits.MaxProjects)
            {
                return Error.Quota($"{target.Name} is on the {target.Plan} plan, which allows {limits.MaxProjects} project{(limits.MaxProjects == 1 ? "" : "s")}, and it has no room for another.");
            }

            var assignments = await db.RoleAssignments.Where(r => r.ProjectId == projectId).ToListAsync(ct);
            var targetMembers = (await db.RoleAssignments
                .Where(r => r.OrganizationId == targetOrganizationId && r.ProjectId == null && r.PrincipalType == PrincipalType.User)
                .Select(r => r.PrincipalId).ToListAsync(ct)).ToHashSet();
            // Keys and service-account bindings never travel: whoever holds them may not be welcome in the target.
            var lostAccess = assignments.Where(r => r.PrincipalType != PrincipalType.User || !targetMembers.Contains(r.PrincipalId)).ToList();
            var keys = await db.ApiKeys.Where(k => k.ProjectId == projectId).ToListAsync(ct);
            db.RoleAssignments.RemoveRange(lostAccess);
            db.ApiKeys.RemoveRange(keys);
            foreach (var kept in assignments.Except(lostAccess)) kept.OrganizationId = targetOrganizationId;
            project.OrganizationId = targetOrganizationId;

            var removed = lostAccess.Where(r => r.PrincipalType == PrincipalType.User)
                .Select(r => new { Principal = r.PrincipalName ?? r.PrincipalId, Role = r.Role.ToString() }).ToList();
            var revokedKeys = keys.Select(k => new { k.Id, k.Name }).ToList();
            var revokedBindings = lostAccess.Where(r => r.PrincipalType == PrincipalType.ServiceAccount)
                .Select(r => new { ServiceAccount = r.PrincipalName ?? r.PrincipalId, Role = r.Role.ToString() }).ToList();
            await audit.AppendAsync(db, actor, sourceId, new AuditEntry("project.moved_out", "project", projectId.ToString(),
                Before: new { project.Name, Organization = sourceId },
                After: new { Organization = targetOrganizationId, SharedOwner = ownerEmail, LostAccess = removed, RevokedApiKeys = revokedKeys, RevokedServiceAccountBindings = revokedBindings },
                ProjectId: projectId, Reason: validReason), ct);
            await audit.AppendAsync(db, actor, targetOrganizationId, new AuditEntry("project.moved_in", "project", projectId.ToString(),
                Before: new { Organization = sourceId }, After: new { project.Name, Organization = targetOrganizationId, SharedOwner = ownerEmail },
                ProjectId: projectId, Reason: validReason), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>The move form's field naming the Owner both organizations share.</summary>
    public const string MoveOwnerField = "SharedOwner";

    /// <summary>Resends an invitation on a customer's behalf (new link, new expiry), with the reason.</summary>
    public async Task<Result<InvitationRow>> ResendInvitationAsync(Guid organizationId, Guid invitationId, string? reason, CancellationToken ct = default)
    {
        var action = await DemandActionAsync(reason, ct);
        if (!action.IsSuccess) return action.Error;
        return await invitations.ResendCoreAsync(action.Value.Actor, organizationId, invitationId, action.Value.Reason, ct);
    }

    /// <summary>Restores a soft-deleted organization while its retention period lasts.</summary>
    public async Task<Result> RestoreOrganizationAsync(Guid organizationId, string? reason, CancellationToken ct = default)
    {
        var action = await DemandActionAsync(reason, ct);
        if (!action.IsSuccess) return action.Error;
        var (actor, validReason) = action.Value;

        return await dbFactory.WriteAsync(async db =>
        {
            var org = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, ct);
            if (org is null)
            {
                var chain = AuditLog.ChainKeyOf(organizationId);
                var purged = await db.AuditEvents.AsNoTracking().Where(e => e.ChainKey == chain && e.Action == "organization.purged")
                    .Select(e => (DateTime?)e.OccurredAt).FirstOrDefaultAsync(ct);
                return purged is { } at
                    ? Error.Conflict($"This organization was removed for good on {at:d MMM yyyy} when its retention period ended; it can no longer be restored.")
                    : Error.NotFound("The organization");
            }
            if (org.DeletedAt is null) return Error.Conflict($"{org.Name} is not deleted.");
            var now = time.UtcNow();
            if (org.PurgeAfter <= now)
            {
                return Error.Conflict($"The retention period of {org.Name} ended on {org.PurgeAfter:d MMM yyyy}; it is being removed for good and can no longer be restored.");
            }
            var before = new { org.DeletedAt, org.PurgeAfter };
            org.DeletedAt = null;
            org.PurgeAfter = null;
            await audit.AppendAsync(db, actor, organizationId, new AuditEntry("organization.restored", "organization", organizationId.ToString(),
                Before: before, After: new { Restored = now }, Reason: validReason), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>
    /// Releases an organization's claim on an SSO domain (SPEC §6), verified or not — e.g. when a customer lost the domain,
    /// or someone else proves it is theirs. Sign-ins in the domain stop going to the organization's provider.
    /// </summary>
    public async Task<Result> ReleaseSsoDomainAsync(Guid organizationId, string? domain, string? reason, CancellationToken ct = default)
    {
        var action = await DemandActionAsync(reason, ct);
        if (!action.IsSuccess) return action.Error;
        var (actor, validReason) = action.Value;
        var name = Sso.SsoRules.NormalizeDomain(domain);
        if (name is null) return Error.NotFound("The domain claim");
        return await dbFactory.WriteAsync(async db =>
        {
            var claim = await db.Set<Sso.SsoDomain>().FirstOrDefaultAsync(d => d.OrganizationId == organizationId && d.Domain == name, ct);
            if (claim is null) return Error.NotFound("The domain claim");
            db.Remove(claim);
            await audit.AppendAsync(db, actor, organizationId, new AuditEntry("sso.domain_released", "sso_domain", name,
                Before: new { Domain = name, Verified = claim.VerifiedAt is not null }, Reason: validReason), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>The organization's claimed SSO domains, for the support page.</summary>
    public async Task<Result<IReadOnlyList<Sso.SsoDomainStatus>>> ListSsoDomainsAsync(Guid organizationId, CancellationToken ct = default)
    {
        var staff = await DemandStaffAsync(ct);
        if (!staff.IsSuccess) return staff.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Set<Sso.SsoDomain>().AsNoTracking().Where(d => d.OrganizationId == organizationId).OrderBy(d => d.Domain).ToListAsync(ct);
        return rows.Select(d => new Sso.SsoDomainStatus(d.Domain, d.VerifiedAt is not null, d.VerifiedAt,
            Sso.SsoRules.ChallengeName(d.Domain), Sso.SsoRules.ChallengeValue(d.VerificationToken))).ToList();
    }

    /// <summary>A support action: staff only, with a valid reason; it is recorded as done by support.</summary>
    private async Task<Result<(Actor Actor, string Reason)>> DemandActionAsync(string? reason, CancellationToken ct)
    {
        var staff = await DemandStaffAsync(ct);
        if (!staff.IsSuccess) return staff.Error;
        var validReason = ValidateReason(reason);
        if (!validReason.IsSuccess) return validReason.Error;
        return (staff.Value with { Type = ActorType.Support }, validReason.Value);
    }

    /// <summary>Support staff only: the platform role is read from the database on every call, so a revoked role stops at once.</summary>
    private async Task<Result<Actor>> DemandStaffAsync(CancellationToken ct)
    {
        var actor = actors.Current;
        if (actor.Type is not (ActorType.User or ActorType.Support)) return Error.Forbidden("Support staff only.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await Authorizer.IsSupportStaffAsync(db, actor.Id, ct)) return Error.Forbidden("This needs the platform Support role.");
        return actor with { Type = ActorType.User, Support = null };
    }

    private static Result<string> ValidateReason(string? reason)
    {
        var trimmed = reason?.Trim() ?? "";
        if (trimmed.Length < 3) return Error.Validation("Reason", "Give the reason for this, e.g. the ticket reference.");
        if (trimmed.Length > ReasonMaxLength) return Error.Validation("Reason", $"Keep the reason under {ReasonMaxLength} characters.");
        return trimmed;
    }
}
