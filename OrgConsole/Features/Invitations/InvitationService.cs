using System.Text.Encodings.Web;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Common.Http;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Email;

namespace OrgConsole.Features.Invitations;

public sealed record ProjectGrant(Guid ProjectId, Role Role);

public sealed record InviteRequest(IReadOnlyList<string> Emails, Role Role, IReadOnlyList<ProjectGrant>? Projects = null);

/// <summary>
/// An invitation as the lists show it: <see cref="Role"/> is its most privileged organization role, <see cref="OrgRoles"/> all of them;
/// <see cref="InvitedBy"/> names who sent it (display name, else email), as the members list names people.
/// </summary>
public sealed record InvitationRow(Guid Id, string Email, Role Role, InvitationState State, DateTime CreatedAt, DateTime ExpiresAt,
    DateTime LastSentAt, IReadOnlyList<string> ProjectNames, DateTime? AcceptedAt = null, IReadOnlyList<Role>? OrgRoles = null, string? InvitedBy = null);

/// <summary>One role binding of an invite (the Admin API's principal_type invite).</summary>
public sealed record InvitationBindingRow(Guid Id, Guid InvitationId, Guid? ProjectId, Role Role, DateTime CreatedAt);

/// <summary>The outcome of an invite: who was invited, and whose email could not be sent (they can be resent).</summary>
public sealed record InviteOutcome(IReadOnlyList<InvitationRow> Invited, IReadOnlyList<string> EmailFailures);

public enum InvitationLinkState
{
    Valid,
    Expired,
    Revoked,
    Accepted,
    NotFound,
}

/// <summary>What the accept page may show before anyone signs in: only what the link's holder already knows.</summary>
public sealed record InvitationPreview(InvitationLinkState State, string? OrganizationName, string? Email, Role? Role, Guid? OrganizationId);

/// <summary>An invitation waiting for the signed-in person, as the console's banner offers it.</summary>
public sealed record PendingInvitation(Guid Id, Guid OrganizationId, string OrganizationName, Role Role, DateTime ExpiresAt, string? InvitedBy);

/// <summary>Invitations to join an organization (SPEC §3).</summary>
public sealed class InvitationService(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    Authorizer authorizer,
    AuditLog audit,
    TimeProvider time,
    IEmailTransport email,
    PublicUrl publicUrl,
    ILogger<InvitationService> logger,
    IDataProtectionProvider dataProtection)
{
    public async Task<Result<InviteOutcome>> InviteAsync(Guid organizationId, InviteRequest request, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.InviteMembers, ct);
        if (!access.IsSuccess) return access.Error;
        var actor = access.Value.Actor;

        var addresses = request.Emails.Select(e => e.Trim()).Where(e => e.Length > 0).DistinctBy(e => e.ToUpperInvariant()).ToList();
        // Every problem of the request at once, each under its field (Emails, Role, Projects, or the address itself).
        var problems = new Dictionary<string, string>();
        if (addresses.Count == 0) problems["Emails"] = "Enter at least one email address.";
        else if (addresses.Count > InvitationRules.MaxAddressesPerInvite)
        {
            problems["Emails"] = $"Invite at most {InvitationRules.MaxAddressesPerInvite} addresses at a time (this list has {addresses.Count}).";
        }
        if (Roles.ScopeOf(request.Role) != RoleScope.Organization)
        {
            problems["Role"] = $"Choose an organization role: {string.Join(", ", Roles.OrganizationRoles.Select(r => r.DisplayName()))}.";
        }
        var grants = (request.Projects ?? []).DistinctBy(g => g.ProjectId).ToList();
        if (grants.Count > 0 && request.Role == Role.OrgOwner)
        {
            problems["Projects"] = "Owners are Project owners of every project; project roles are only for Users and Billing admins.";
        }
        else if (grants.FirstOrDefault(g => Roles.ScopeOf(g.Role) != RoleScope.Project) is { } badGrant)
        {
            problems["Projects"] = $"{badGrant.Role.DisplayName()} is not a project role. Choose Project owner or Project user.";
        }

        var malformed = addresses.Where(a => !InvitationRules.IsValidEmail(a))
            .ToDictionary(a => a, a => Names.HasControlCharacters(a)
                ? $"\"{Printable(a)}\": {Names.ControlCharactersMessage("email address")}"
                : $"\"{a}\" is not a valid email address.");
        if (problems.Count > 0 || malformed.Count > 0)
        {
            string message;
            if (problems.Count == 0)
            {
                // Only bad addresses. One: its own reason is the message (the Admin API shows only the message).
                message = malformed.Count == 1
                    ? $"{malformed.Values.Single()} Fix it before anyone is invited."
                    : $"{Count(malformed.Count, "address")} need fixing before anyone is invited.";
            }
            else
            {
                message = problems.Count + malformed.Count == 1 ? problems.Values.Single() : "Fix these problems before anyone is invited.";
            }
            foreach (var (address, problem) in malformed) problems[address] = problem;
            // The well-formed addresses that could not be invited either (members, pending invitations): said now, not next round.
            var wellFormed = addresses.Except(malformed.Keys).Where(a => !problems.ContainsKey(a)).ToList();
            if (wellFormed.Count is > 0 and <= InvitationRules.MaxAddressesPerInvite)
            {
                await using var read = await dbFactory.CreateDbContextAsync(ct);
                foreach (var (address, conflict) in await ConflictsAsync(read, organizationId, wellFormed, time.UtcNow(), ct)) problems[address] = conflict;
            }
            return new Error(ErrorKind.Validation, message, problems);
        }

        var tokens = new Dictionary<Guid, string>();
        var result = await dbFactory.WriteAsync<List<Invitation>>(async db =>
        {
            var keys = addresses.Select(a => a.ToUpperInvariant()).ToList();
            var now = time.UtcNow();
            var pending = await db.Invitations
                .Where(i => i.OrganizationId == organizationId && i.Status == InvitationStatus.Pending && keys.Contains(i.NormalizedEmail))
                .ToListAsync(ct);
            var conflicts = await ConflictsAsync(db, organizationId, addresses, now, ct);
            if (conflicts.Count > 0)
            {
                return new Error(ErrorKind.Conflict, conflicts.Count == 1 ? conflicts.Values.Single() : $"{Count(conflicts.Count, "address")} cannot be invited.", conflicts);
            }
            if (grants.Count > 0)
            {
                var projectIds = grants.Select(g => g.ProjectId).ToList();
                var found = await db.Projects.CountAsync(p => p.OrganizationId == organizationId && projectIds.Contains(p.Id), ct);
                if (found != projectIds.Count) return Error.Validation("Projects", "One of the chosen projects does not exist in this organization any more.");
            }
            if (await QuotaErrorAsync(db, organizationId, addresses.Count, now, ct) is { } quota) return quota;

            // An expired pending invitation to the same address is replaced by the new one.
            foreach (var stale in pending) { stale.Status = InvitationStatus.Revoked; stale.RevokedAt = now; }
            await db.SaveChangesAsync(ct);

            var created = new List<Invitation>();
            foreach (var address in addresses)
            {
                var (token, hash) = NewToken();
                var invitation = new Invitation
                {
                    Id = Guid.NewGuid(), OrganizationId = organizationId, Email = address, NormalizedEmail = address.ToUpperInvariant(),
                    Roles = [new InvitationRole { OrganizationId = organizationId, Role = request.Role, CreatedAt = now },
                        .. grants.Select(g => new InvitationRole { OrganizationId = organizationId, ProjectId = g.ProjectId, Role = g.Role, CreatedAt = now })],
                    TokenHash = hash, Status = InvitationStatus.Pending, CreatedAt = now, CreatedByUserId = actor.Id,
                    ExpiresAt = now + InvitationRules.Lifetime, LastSentAt = now, SendCount = 1,
                };
                tokens[invitation.Id] = token;
                db.Invitations.Add(invitation);
                db.InvitationEmailSends.Add(new InvitationEmailSend { OrganizationId = organizationId, InvitationId = invitation.Id, SentAt = now });
                await audit.AppendAsync(db, actor, organizationId, new AuditEntry("invitation.created", "invitation", invitation.Id.ToString(),
                    After: new { invitation.Email, Role = request.Role.ToString(), Projects = grants.Select(g => new { g.ProjectId, Role = g.Role.ToString() }) }), ct);
                created.Add(invitation);
            }
            return created;
        }, ct);
        if (!result.IsSuccess) return result.Error;

        var failures = new List<string>();
        foreach (var invitation in result.Value)
        {
            if (!await SendAsync(organizationId, invitation, tokens[invitation.Id], ct)) failures.Add(invitation.Email);
        }
        var rows = await RowsAsync(organizationId, result.Value.Select(i => i.Id).ToList(), ct);
        return new InviteOutcome(rows, failures);
    }

    /// <summary>Invitations of the organization, newest first, with their state.</summary>
    public async Task<Result<IReadOnlyList<InvitationRow>>> ListAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewInvitations, ct);
        if (!access.IsSuccess) return access.Error;
        return Result<IReadOnlyList<InvitationRow>>.Ok(await RowsAsync(organizationId, null, ct));
    }

    /// <summary>
    /// One page of the organization's invitations, newest first, paged in SQL by keyset: <see cref="InvitationPageRequest.PageToken"/>
    /// is a token a previous page gave out (its <see cref="InvitationPage.NextToken"/> or <see cref="InvitationPage.PreviousToken"/>),
    /// or none for the first page. A token of another organization, another page size or a forged one is refused as a validation error.
    /// </summary>
    public async Task<Result<InvitationPage>> PageAsync(Guid organizationId, InvitationPageRequest request, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewInvitations, ct);
        if (!access.IsSuccess) return access.Error;
        if (request.PageSize is < 1 or > InvitationPageRequest.MaxPageSize)
        {
            return Error.Validation("PageSize", $"Pages hold 1 to {InvitationPageRequest.MaxPageSize} invitations.");
        }
        InvitationPageToken? from = null;
        if (!string.IsNullOrEmpty(request.PageToken))
        {
            from = InvitationPageToken.Read(PageTokens, organizationId, request.PageSize, request.PageToken);
            if (from is null) return Error.Validation("PageToken", "This page link is not one this list gave out. Start again from the first page.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var all = db.Invitations.AsNoTracking().Where(i => i.OrganizationId == organizationId);
        var total = await all.CountAsync(ct);
        List<(Guid Id, DateTime CreatedAt)> keys;
        bool more;
        if (from is null || from.Forward)
        {
            var query = all;
            if (from is { } after)
            {
                query = query.Where(i => i.CreatedAt < after.CreatedAt || (i.CreatedAt == after.CreatedAt && i.Id.CompareTo(after.Id) < 0));
            }
            var found = await query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Take(request.PageSize + 1)
                .Select(i => new { i.Id, i.CreatedAt }).ToListAsync(ct);
            more = found.Count > request.PageSize;
            keys = found.Take(request.PageSize).Select(k => (k.Id, k.CreatedAt)).ToList();
        }
        else
        {
            var found = await all.Where(i => i.CreatedAt > from.CreatedAt || (i.CreatedAt == from.CreatedAt && i.Id.CompareTo(from.Id) > 0))
                .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).Take(request.PageSize + 1).Select(i => new { i.Id, i.CreatedAt }).ToListAsync(ct);
            more = found.Count > request.PageSize;
            keys = found.Take(request.PageSize).Select(k => (k.Id, k.CreatedAt)).Reverse().ToList();
        }

        // Where the page starts in the whole list (for "26–50 of 130"): a backward page with nothing before it is the first.
        var start = from switch
        {
            null => 0,
            { Forward: true } => from.Start,
            _ => more ? Math.Max(0, from.Start) : 0,
        };
        var hasNext = from is { Forward: false } || more;
        var hasPrevious = from is { Forward: false } ? more : from is not null && start > 0;
        var ids = keys.Select(k => k.Id).ToList();
        var rows = (await RowsAsync(organizationId, ids, ct)).OrderBy(r => ids.IndexOf(r.Id)).ToList();
        var next = hasNext && keys.Count > 0
            ? InvitationPageToken.Write(PageTokens, new InvitationPageToken(organizationId, request.PageSize, keys[^1].CreatedAt, keys[^1].Id, true, start + keys.Count))
            : null;
        var previous = hasPrevious && keys.Count > 0
            ? InvitationPageToken.Write(PageTokens, new InvitationPageToken(organizationId, request.PageSize, keys[0].CreatedAt, keys[0].Id, false, start - request.PageSize))
            : null;
        return new InvitationPage(rows, total, start, next, previous);
    }

    private IDataProtector PageTokens => dataProtection.CreateProtector("OrgConsole.Invitations.PageToken");

    /// <summary>Pending invitations (expired ones included), oldest first, one page at a time (the Admin API's list).</summary>
    public async Task<Result<Slice<InvitationRow>>> ListPendingPageAsync(Guid organizationId, int skip, int take, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.InviteMembers, ct);
        if (!access.IsSuccess) return access.Error;
        if (skip < 0 || take is < 1 or > 1000) return Error.Validation("Limit", "Pages hold 1 to 1000 invitations.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = await db.Invitations.AsNoTracking().Where(i => i.OrganizationId == organizationId && i.Status == InvitationStatus.Pending)
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.NormalizedEmail).Skip(skip).Take(take + 1).Select(i => i.Id).ToListAsync(ct);
        var rows = (await RowsAsync(organizationId, ids.Take(take).ToList(), ct)).OrderBy(r => ids.IndexOf(r.Id)).ToList();
        return new Slice<InvitationRow>(rows, ids.Count > take);
    }

    public async Task<Result<InvitationRow>> GetAsync(Guid organizationId, Guid invitationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewInvitations, ct);
        if (!access.IsSuccess) return access.Error;
        var rows = await RowsAsync(organizationId, [invitationId], ct);
        return rows.Count == 0 ? Error.NotFound("The invitation") : rows[0];
    }

    /// <summary>Sends a pending (or expired) invitation again with a new link and a new expiry; the old link stops working.</summary>
    public async Task<Result<InvitationRow>> ResendAsync(Guid organizationId, Guid invitationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.InviteMembers, ct);
        if (!access.IsSuccess) return access.Error;
        return await ResendCoreAsync(access.Value.Actor, organizationId, invitationId, reason: null, ct);
    }

    /// <summary>The resend itself, for an owner (above) or for support staff (SupportService, with their reason).</summary>
    internal async Task<Result<InvitationRow>> ResendCoreAsync(Actor actor, Guid organizationId, Guid invitationId, string? reason, CancellationToken ct)
    {
        var (token, hash) = NewToken();
        var result = await dbFactory.WriteAsync<Invitation>(async db =>
        {
            var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == invitationId && i.OrganizationId == organizationId, ct);
            if (invitation is null) return Error.NotFound("The invitation");
            if (invitation.Status != InvitationStatus.Pending)
            {
                return Error.Conflict($"This invitation was {invitation.Status.ToString().ToLowerInvariant()} and cannot be resent. Invite {invitation.Email} again instead.");
            }
            var now = time.UtcNow();
            if (await QuotaErrorAsync(db, organizationId, 1, now, ct) is { } quota) return quota;
            invitation.TokenHash = hash;
            invitation.ExpiresAt = now + InvitationRules.Lifetime;
            invitation.LastSentAt = now;
            invitation.SendCount++;
            db.InvitationEmailSends.Add(new InvitationEmailSend { OrganizationId = organizationId, InvitationId = invitation.Id, SentAt = now });
            await audit.AppendAsync(db, actor, organizationId, new AuditEntry("invitation.resent", "invitation", invitation.Id.ToString(),
                After: new { invitation.Email, invitation.ExpiresAt }, Reason: reason), ct);
            return invitation;
        }, ct);
        if (!result.IsSuccess) return result.Error;
        if (!await SendAsync(organizationId, result.Value, token, ct))
        {
            return Error.Conflict($"The invitation was renewed, but the email to {result.Value.Email} could not be sent. Check the mail settings and resend.");
        }
        return (await RowsAsync(organizationId, [invitationId], ct))[0];
    }

    /// <summary>Revokes a pending invitation ("Delete pending member invites"): its link stops working at once.</summary>
    public async Task<Result> RevokeAsync(Guid organizationId, Guid invitationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.DeletePendingInvites, ct);
        if (!access.IsSuccess) return access.Error;
        return await dbFactory.WriteAsync(async db =>
        {
            var invitation = await db.Invitations.Include(i => i.Roles).FirstOrDefaultAsync(i => i.Id == invitationId && i.OrganizationId == organizationId, ct);
            if (invitation is null) return Error.NotFound("The invitation");
            if (invitation.Status != InvitationStatus.Pending)
            {
                return Error.Conflict($"This invitation was already {invitation.Status.ToString().ToLowerInvariant()}.");
            }
            invitation.Status = InvitationStatus.Revoked;
            invitation.RevokedAt = time.UtcNow();
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("invitation.revoked", "invitation", invitation.Id.ToString(),
                Before: new { invitation.Email, Role = PrimaryRole(invitation).ToString() }), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>
    /// The role bindings of pending invites (the Admin API's principal_type invite), oldest first; <paramref name="invitationId"/>
    /// narrows to one invite. Only those who may invite see them.
    /// </summary>
    public async Task<Result<IReadOnlyList<InvitationBindingRow>>> ListBindingsAsync(Guid organizationId, Guid? invitationId, Guid? bindingId = null, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.InviteMembers, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = PendingBindings(db, organizationId);
        if (invitationId is { } one) query = query.Where(r => r.InvitationId == one);
        if (bindingId is { } id) query = query.Where(r => r.Id == id);
        var rows = await query.OrderBy(r => r.CreatedAt).ThenBy(r => r.InvitationId).ThenBy(r => r.ProjectId).ThenBy(r => r.Role).Take(10_000)
            .Select(r => new InvitationBindingRow(r.Id, r.InvitationId, r.ProjectId, r.Role, r.CreatedAt)).ToListAsync(ct);
        return rows;
    }

    /// <summary>
    /// The role bindings of the organization's pending invites, as a query to filter and page in SQL (the role-binding list
    /// merges them with the other principals' in one query). It does not authorize: callers demand <see cref="Permission.InviteMembers"/>.
    /// </summary>
    public static IQueryable<InvitationRole> PendingBindings(ApplicationDbContext db, Guid organizationId) =>
        from r in db.InvitationRoles.AsNoTracking()
        join i in db.Invitations on r.InvitationId equals i.Id
        where r.OrganizationId == organizationId && i.OrganizationId == organizationId && i.Status == InvitationStatus.Pending
        select r;

    /// <summary>
    /// Adds a role binding to a pending invite (SPEC §1.3a: an invite is a principal): an organization role or a role on one
    /// of the organization's projects. Binding a role the invite holds already is a conflict.
    /// </summary>
    public async Task<Result<InvitationBindingRow>> AddRoleAsync(Guid organizationId, Guid invitationId, Guid? projectId, Role role, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.InviteMembers, ct);
        if (!access.IsSuccess) return access.Error;
        var scope = Roles.ScopeOf(role);
        if (projectId is null && scope != RoleScope.Organization)
        {
            return Error.Validation("Role", $"Choose an organization role: {string.Join(", ", Roles.OrganizationRoles.Select(r => r.DisplayName()))}.");
        }
        if (projectId is not null && scope != RoleScope.Project)
        {
            return Error.Validation("Role", $"{role.WithWireName()} is not a project role. Choose Project owner or Project user.");
        }
        return await dbFactory.WriteAsync<InvitationBindingRow>(async db =>
        {
            var invitation = await db.Invitations.Include(i => i.Roles).FirstOrDefaultAsync(i => i.Id == invitationId && i.OrganizationId == organizationId, ct);
            if (invitation is null || invitation.Status != InvitationStatus.Pending) return Error.NotFound("The invite");
            if (projectId is { } pid && !await db.Projects.AnyAsync(p => p.Id == pid && p.OrganizationId == organizationId, ct))
            {
                return Error.NotFound("The project");
            }
            if (invitation.Roles.Any(r => r.ProjectId == projectId && r.Role == role)) return Error.Conflict("The invite already holds this role on this resource.");
            var binding = new InvitationRole { InvitationId = invitation.Id, OrganizationId = organizationId, ProjectId = projectId, Role = role, CreatedAt = time.UtcNow() };
            db.InvitationRoles.Add(binding);
            db.Touch(invitation); // its role bindings changed
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("invitation.role_added", "invitation", invitation.Id.ToString(),
                After: new { invitation.Email, binding.ProjectId, Role = role.ToString() }), ct);
            return new InvitationBindingRow(binding.Id, invitation.Id, projectId, role, binding.CreatedAt);
        }, ct);
    }

    /// <summary>Removes one role binding of a pending invite; its last organization role stays (409, as Pinecone documents).</summary>
    public async Task<Result> RemoveRoleAsync(Guid organizationId, Guid bindingId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.InviteMembers, ct);
        if (!access.IsSuccess) return access.Error;
        return await dbFactory.WriteAsync(async db =>
        {
            var binding = await db.InvitationRoles.FirstOrDefaultAsync(r => r.Id == bindingId && r.OrganizationId == organizationId, ct);
            var invitation = binding is null ? null
                : await db.Invitations.Include(i => i.Roles).FirstOrDefaultAsync(i => i.Id == binding.InvitationId && i.OrganizationId == organizationId, ct);
            if (binding is null || invitation is null || invitation.Status != InvitationStatus.Pending) return Error.NotFound("The role binding");
            if (binding.ProjectId is null && invitation.Roles.Count(r => r.ProjectId is null) == 1)
            {
                return Error.Conflict($"This is the only organization role of the invite to {invitation.Email}; an invite needs one. Add another organization role first, or delete the invite.");
            }
            db.InvitationRoles.Remove(binding);
            db.Touch(invitation); // its role bindings changed
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("invitation.role_removed", "invitation", invitation.Id.ToString(),
                Before: new { invitation.Email, binding.ProjectId, Role = binding.Role.ToString() }), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>What an invitation link leads to, for the accept page (no sign-in needed).</summary>
    public async Task<InvitationPreview> PreviewAsync(string? token, CancellationToken ct = default)
    {
        if (HashOf(token) is not { } hash) return new(InvitationLinkState.NotFound, null, null, null, null);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await (
            from i in db.Invitations.Include(i => i.Roles)
            join o in db.Organizations on i.OrganizationId equals o.Id
            where i.TokenHash == hash && o.DeletedAt == null
            select new { Invitation = i, o.Name }).AsNoTracking().FirstOrDefaultAsync(ct);
        if (row is null) return new(InvitationLinkState.NotFound, null, null, null, null);
        var state = row.Invitation.StateAt(time.UtcNow()) switch
        {
            InvitationState.Pending => InvitationLinkState.Valid,
            InvitationState.Expired => InvitationLinkState.Expired,
            InvitationState.Accepted => InvitationLinkState.Accepted,
            _ => InvitationLinkState.Revoked,
        };
        return new(state, row.Name, row.Invitation.Email, PrimaryRole(row.Invitation), row.Invitation.OrganizationId);
    }

    /// <summary>
    /// Accepts an invitation for the signed-in person, whose email must be the invited one. Atomic and idempotent:
    /// a double click or two parallel requests create one membership, and repeating an accepted link succeeds.
    /// </summary>
    public async Task<Result<Guid>> AcceptAsync(string? token, CancellationToken ct = default)
    {
        if (!authorizer.Actor.IsUser) return Error.Forbidden("Sign in to accept the invitation.");
        if (HashOf(token) is not { } hash) return Error.NotFound("The invitation");
        return await AcceptWhereAsync(i => i.TokenHash == hash, byLink: true, ct);
    }

    /// <summary>
    /// The signed-in person's own pending invitations (the console's banner after sign-in): only those addressed to
    /// the account's verified email, still pending and unexpired, of organizations they are not in yet.
    /// </summary>
    public async Task<IReadOnlyList<PendingInvitation>> ListMineAsync(CancellationToken ct = default)
    {
        var actor = authorizer.Actor;
        if (!actor.IsUser) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mine = new List<PendingInvitation>();
        await foreach (var row in MyPendingQuery.For(db)(db, actor.Id, time.UtcNow()).WithCancellation(ct))
        {
            mine.Add(new PendingInvitation(row.Id, row.OrganizationId, row.OrganizationName, row.Roles.DefaultIfEmpty(Role.OrgMember).Min(), row.ExpiresAt,
                row.Inviter is null ? null : Audit.AuditLabels.Person(row.Inviter.DisplayName, row.Inviter.Email, "")));
        }
        return mine;
    }

    private sealed record MyPendingRow(Guid Id, Guid OrganizationId, string OrganizationName, DateTime ExpiresAt, List<Role> Roles, InviterRow? Inviter);

    private sealed record InviterRow(string? DisplayName, string? Email);

    // Every page a person opens shows this banner (issue 17): one compiled query, the account's verified email joined in,
    // instead of reading the email first and translating the LINQ on every call.
    private static readonly PerModelQuery<Func<ApplicationDbContext, string, DateTime, IAsyncEnumerable<MyPendingRow>>> MyPendingQuery =
        PerModelQuery.Compile(() => EF.CompileAsyncQuery((ApplicationDbContext db, string userId, DateTime now) =>
            (from u in db.Users.AsNoTracking()
             where u.Id == userId && u.EmailConfirmed && u.NormalizedEmail != null && u.NormalizedEmail != ""
             join i in db.Invitations on u.NormalizedEmail equals i.NormalizedEmail
             join o in db.Organizations on i.OrganizationId equals o.Id
             where i.Status == InvitationStatus.Pending && i.ExpiresAt > now && o.DeletedAt == null
                   && !db.RoleAssignments.Any(r => r.OrganizationId == o.Id && r.ProjectId == null && r.PrincipalType == PrincipalType.User && r.PrincipalId == userId)
             orderby i.CreatedAt descending
             select new MyPendingRow(i.Id, i.OrganizationId, o.Name, i.ExpiresAt,
                 i.Roles.Where(r => r.ProjectId == null).Select(r => r.Role).ToList(),
                 db.Users.Where(inviter => inviter.Id == i.CreatedByUserId).Select(inviter => new InviterRow(inviter.DisplayName, inviter.Email)).FirstOrDefault()))
            .Take(20)));

    /// <summary>
    /// Accepts one of <see cref="ListMineAsync"/>'s invitations by id, through the same path as the link: someone else's
    /// invitation, or one for an unverified address, is not found; an expired or withdrawn one is refused.
    /// </summary>
    public async Task<Result<Guid>> AcceptMineAsync(Guid invitationId, CancellationToken ct = default)
    {
        if (!authorizer.Actor.IsUser) return Error.Forbidden("Sign in to accept the invitation.");
        return await AcceptWhereAsync(i => i.Id == invitationId, byLink: false, ct);
    }

    /// <summary>
    /// Declines one of the signed-in person's pending invitations: it is withdrawn (the link dies, owners see it as
    /// revoked) and the organization's log records "invitation.declined". Only the invited, verified address may.
    /// </summary>
    public async Task<Result> DeclineMineAsync(Guid invitationId, CancellationToken ct = default)
    {
        var actor = authorizer.Actor;
        if (!actor.IsUser) return Error.Forbidden("Sign in to decline the invitation.");
        return await dbFactory.WriteAsync(async db =>
        {
            var user = await db.Users.FirstOrDefaultAsync(u => u.Id == actor.Id, ct);
            var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == invitationId, ct);
            if (user is null || invitation is null || !user.EmailConfirmed
                || !string.Equals(user.NormalizedEmail, invitation.NormalizedEmail, StringComparison.Ordinal)
                || !await db.Organizations.AnyAsync(o => o.Id == invitation.OrganizationId && o.DeletedAt == null, ct))
            {
                return Error.NotFound("The invitation");
            }
            var now = time.UtcNow();
            if (invitation.StateAt(now) != InvitationState.Pending) return Error.Conflict("This invitation is no longer pending.");
            invitation.Status = InvitationStatus.Revoked;
            invitation.RevokedAt = now;
            await audit.AppendAsync(db, actor, invitation.OrganizationId, new AuditEntry("invitation.declined", "invitation", invitation.Id.ToString(),
                After: new { invitation.Email }), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>
    /// The one accept path. <paramref name="byLink"/>: the link's holder proved the token, so a wrong account is told
    /// whom the invitation is for; by id (the banner) the invitation must be the verified account's own, else it is not found.
    /// </summary>
    private async Task<Result<Guid>> AcceptWhereAsync(System.Linq.Expressions.Expression<Func<Invitation, bool>> match, bool byLink, CancellationToken ct)
    {
        var actor = authorizer.Actor;
        return await dbFactory.WriteAsync<Guid>(async db =>
        {
            var invitation = await db.Invitations.Include(i => i.Roles).FirstOrDefaultAsync(match, ct);
            var org = invitation is null ? null : await db.Organizations.FirstOrDefaultAsync(o => o.Id == invitation.OrganizationId && o.DeletedAt == null, ct);
            if (invitation is null || org is null) return Error.NotFound("The invitation");
            var user = await db.Users.FirstAsync(u => u.Id == actor.Id, ct);
            if (!string.Equals(user.NormalizedEmail, invitation.NormalizedEmail, StringComparison.Ordinal))
            {
                return byLink
                    ? Error.Forbidden($"This invitation is for {invitation.Email}, but you are signed in as {user.Email}. Sign out and sign in (or register) as {invitation.Email} to accept it.")
                    : Error.NotFound("The invitation");
            }
            if (!byLink && !user.EmailConfirmed) return Error.NotFound("The invitation");
            var now = time.UtcNow();
            switch (invitation.StateAt(now))
            {
                case InvitationState.Accepted when invitation.AcceptedByUserId == user.Id:
                    return invitation.OrganizationId;
                case InvitationState.Accepted:
                    return Error.Conflict("This invitation has already been used.");
                case InvitationState.Revoked:
                    return Error.Conflict($"This invitation was withdrawn. Ask an owner of {org.Name} to invite you again.");
                case InvitationState.Expired:
                    return Error.Conflict($"This invitation expired on {invitation.ExpiresAt:d MMM yyyy}. Ask an owner of {org.Name} to resend it.");
            }

            var alreadyMember = await db.RoleAssignments.AnyAsync(r => r.OrganizationId == org.Id && r.ProjectId == null
                && r.PrincipalType == PrincipalType.User && r.PrincipalId == user.Id, ct);
            if (!alreadyMember)
            {
                // Every binding of the invite becomes the user's: each organization role and each project role (SPEC §1.3a).
                foreach (var binding in invitation.Roles.Where(r => r.ProjectId is null))
                {
                    db.RoleAssignments.Add(RoleAssignment.ForUser(user, org.Id, binding.Role, now));
                }
                var projectIds = invitation.Roles.Where(r => r.ProjectId is not null).Select(p => p.ProjectId!.Value).ToList();
                var existingProjects = await db.Projects.Where(p => p.OrganizationId == org.Id && projectIds.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct);
                foreach (var grant in invitation.Roles.Where(p => p.ProjectId is { } id && existingProjects.Contains(id)))
                {
                    db.RoleAssignments.Add(RoleAssignment.ForUser(user, org.Id, grant.Role, now, grant.ProjectId));
                }
            }
            invitation.Status = InvitationStatus.Accepted;
            invitation.AcceptedAt = now;
            invitation.AcceptedByUserId = user.Id;
            user.LastOrganizationId = org.Id;
            await audit.AppendAsync(db, actor, org.Id, new AuditEntry("invitation.accepted", "invitation", invitation.Id.ToString(),
                After: new { invitation.Email, Roles = invitation.Roles.Select(r => new { r.ProjectId, Role = r.Role.ToString() }), AlreadyMember = alreadyMember }), ct);
            return org.Id;
        }, ct);
    }

    /// <summary>Which of these addresses cannot be invited: members already, or holding a pending invitation that has not expired.</summary>
    private static async Task<Dictionary<string, string>> ConflictsAsync(ApplicationDbContext db, Guid organizationId, IReadOnlyList<string> addresses, DateTime now, CancellationToken ct)
    {
        var normalized = addresses.DistinctBy(a => a.ToUpperInvariant()).ToDictionary(a => a.ToUpperInvariant(), a => a);
        var keys = normalized.Keys.ToList();
        var members = await (
            from r in db.RoleAssignments
            join u in db.Users on r.PrincipalId equals u.Id
            where r.OrganizationId == organizationId && r.ProjectId == null && r.PrincipalType == PrincipalType.User && keys.Contains(u.NormalizedEmail!)
            select u.NormalizedEmail!).ToListAsync(ct);
        var pending = await db.Invitations
            .Where(i => i.OrganizationId == organizationId && i.Status == InvitationStatus.Pending && i.ExpiresAt > now && keys.Contains(i.NormalizedEmail))
            .Select(i => i.NormalizedEmail).ToListAsync(ct);
        var conflicts = new Dictionary<string, string>();
        foreach (var m in members.Distinct()) conflicts[normalized[m]] = $"{normalized[m]} is already a member of this organization.";
        foreach (var p in pending) conflicts[normalized[p]] = $"{normalized[p]} already has a pending invitation. Resend it instead.";
        return conflicts;
    }

    private async Task<Error?> QuotaErrorAsync(ApplicationDbContext db, Guid organizationId, int emails, DateTime now, CancellationToken ct)
    {
        var since = now.AddHours(-1);
        var sent = await db.InvitationEmailSends.Where(s => s.OrganizationId == organizationId && s.SentAt > since).Select(s => s.SentAt).ToListAsync(ct);
        if (sent.Count + emails <= InvitationRules.EmailsPerOrganizationPerHour) return null;
        var nextFree = sent.Count == 0 ? now : sent.Order().Skip(Math.Max(0, sent.Count + emails - InvitationRules.EmailsPerOrganizationPerHour - 1)).First().AddHours(1);
        return Error.Quota($"This organization has sent {sent.Count} invitation emails in the last hour; the limit is {InvitationRules.EmailsPerOrganizationPerHour} per hour. " +
                           $"Try again after {nextFree:HH:mm} UTC.");
    }

    private async Task<bool> SendAsync(Guid organizationId, Invitation invitation, string token, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var orgName = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Name).FirstAsync(ct);
        var link = publicUrl.To(InvitationsRoutes.Accept(token));
        var html = IdentityEmailSender.Layout($"Join {orgName} on OrgConsole",
            $"<p>You are invited to join <strong>{HtmlEncoder.Default.Encode(orgName)}</strong> as <strong>{PrimaryRole(invitation).DisplayName()}</strong>.</p>" +
            $"<p><a href=\"{HtmlEncoder.Default.Encode(link)}\">Accept the invitation</a></p>" +
            $"<p>The link works once and expires on {invitation.ExpiresAt:d MMM yyyy HH:mm} UTC. Sign in or register as {HtmlEncoder.Default.Encode(invitation.Email)} to accept.</p>");
        try
        {
            await email.SendAsync(invitation.Email, $"You're invited to join {orgName} on OrgConsole", html, ct);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Sending the invitation email to {Email} failed", invitation.Email);
            return false;
        }
    }

    private async Task<IReadOnlyList<InvitationRow>> RowsAsync(Guid organizationId, List<Guid>? ids, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Invitations.AsNoTracking().Where(i => i.OrganizationId == organizationId);
        if (ids is not null) query = query.Where(i => ids.Contains(i.Id));
        var invitations = await query.Include(i => i.Roles).AsSplitQuery().OrderByDescending(i => i.CreatedAt).Take(1000).ToListAsync(ct);
        var projectIds = invitations.SelectMany(i => i.Roles.Where(r => r.ProjectId is not null).Select(p => p.ProjectId!.Value)).Distinct().ToList();
        var names = await db.Projects.Where(p => projectIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var inviterIds = invitations.Select(i => i.CreatedByUserId).OfType<string>().Distinct().ToList();
        var inviters = await db.Users.Where(u => inviterIds.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.Email }).ToDictionaryAsync(u => u.Id, ct);
        var now = time.UtcNow();
        return invitations.Select(i => new InvitationRow(i.Id, i.Email, PrimaryRole(i), i.StateAt(now), i.CreatedAt, i.ExpiresAt, i.LastSentAt,
            i.Roles.Where(p => p.ProjectId is { } id && names.ContainsKey(id)).OrderBy(p => names[p.ProjectId!.Value]).ThenBy(p => p.Role)
                .Select(p => $"{names[p.ProjectId!.Value]} ({p.Role.DisplayName()})").ToList(), i.AcceptedAt,
            i.Roles.Where(r => r.ProjectId is null).Select(r => r.Role).Order().ToList(),
            InviterLabel(i.CreatedByUserId is { } by && inviters.TryGetValue(by, out var u) ? (u.DisplayName, u.Email) : null, i.CreatedByUserId))).ToList();
    }

    /// <summary>Who sent an invitation, as the members list names people: the display name, else the email.</summary>
    private static string InviterLabel((string? DisplayName, string? Email)? user, string? userId) => user switch
    {
        { DisplayName: { } name } when !string.IsNullOrWhiteSpace(name) => name,
        { Email: { } email } => email,
        _ => userId is null ? "—" : "A deleted account",
    };

    /// <summary>The most privileged organization role of an invite (Owner before User before Billing admin), for one-line summaries.</summary>
    private static Role PrimaryRole(Invitation invitation) =>
        invitation.Roles.Where(r => r.ProjectId is null).Select(r => r.Role).DefaultIfEmpty(Role.OrgMember).Min();

    /// <summary>256 bits from the CSPRNG, URL-safe; the database keeps only the SHA-256.</summary>
    private static (string Token, string Hash) NewToken()
    {
        var token = Secrets.RandomBase64Url(32);
        return (token, HashOf(token)!);
    }

    private static string? HashOf(string? token) =>
        string.IsNullOrWhiteSpace(token) || token.Length > 128 ? null : Secrets.Sha256Hex(token);

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}es";

    /// <summary>The address with its control characters shown as <c>\uXXXX</c>, so a message never carries them.</summary>
    private static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
