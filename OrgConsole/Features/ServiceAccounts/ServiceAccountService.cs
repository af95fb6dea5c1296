using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Plans;

namespace OrgConsole.Features.ServiceAccounts;

/// <summary>A service account; <see cref="Role"/> is its most privileged organization role, null while it holds none.</summary>
/// <summary>A service account; <see cref="Role"/> the most privileged of its organization roles (<see cref="OrgRoles"/>, all of them).</summary>
public sealed record ServiceAccountRow(Guid Id, string Name, string ClientId, Role? Role, DateTime CreatedAt, DateTime UpdatedAt, int ProjectCount, IReadOnlyList<Role>? OrgRoles = null)
{
    public IReadOnlyList<Role> OrgRoles { get; init; } = OrgRoles ?? (Role is { } role ? [role] : []);
}

/// <summary>A new account or a rotated secret: <see cref="ClientSecret"/> is shown once and never stored.</summary>
public sealed record ServiceAccountWithSecret(ServiceAccountRow Account, string ClientSecret);

public sealed record ServiceAccountProjectRow(Guid ProjectId, string ProjectName, Role Role, DateTime AddedAt);

/// <summary>A service account connected to a project, for the project's members tab.</summary>
/// <summary>A service account on a project, once: <see cref="Role"/> the most privileged of <see cref="Roles"/>, every project role it holds there.</summary>
public sealed record ProjectServiceAccountRow(Guid ServiceAccountId, string Name, string ClientId, Role Role, DateTime AddedAt, IReadOnlyList<Role>? Roles = null)
{
    public IReadOnlyList<Role> Roles { get; init; } = Roles ?? [Role];
}

/// <summary>Who presented valid client credentials (or a valid token): what the Admin API acts as.</summary>
public sealed record ServiceAccountIdentity(Guid Id, Guid OrganizationId, string Name, Guid SecretStamp);

/// <summary>The account a valid token names, with its organization roles as read with it (<see cref="Authorizer.UseForFirstCheck"/>).</summary>
public sealed record ActiveServiceAccount(Guid Id, Guid OrganizationId, string Name, Guid SecretStamp, Membership Membership);

/// <summary>
/// Service accounts (SPEC §1.3, §7): Owner only, Enterprise plan only. The client secret is shown once and stored as
/// a SHA-256 hash; its organization role and project roles are role assignments, so the one authorizer answers for them.
/// </summary>
public sealed class ServiceAccountService(IDbContextFactory<ApplicationDbContext> dbFactory, Authorizer authorizer, AuditLog audit, TimeProvider time,
    KeptReadConnections keptReads)
{
    public const int NameMaxLength = 80;
    public const string SecretPrefix = "pcsk_";

    public static string UpgradeMessage(Plan plan) => PlanGate.Message("Service accounts", plan, l => l.AllowsServiceAccounts);

    public async Task<Result<IReadOnlyList<ServiceAccountRow>>> ListAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ManageServiceAccounts, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await RowsAsync(db, db.ServiceAccounts.Where(a => a.OrganizationId == organizationId).OrderBy(a => a.Name).ThenBy(a => a.ClientId), ct);
    }

    /// <summary>A page of accounts, oldest first (what the Admin API pages through).</summary>
    public async Task<Result<Slice<ServiceAccountRow>>> ListPageAsync(Guid organizationId, int skip, int take, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ManageServiceAccounts, ct);
        if (!access.IsSuccess) return access.Error;
        if (skip < 0 || take is < 1 or > 1000) return Error.Validation("Limit", "Pages hold 1 to 1000 service accounts.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await RowsAsync(db, db.ServiceAccounts.Where(a => a.OrganizationId == organizationId)
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.ClientId).Skip(skip).Take(take + 1), ct);
        return new Slice<ServiceAccountRow>(rows.Take(take).ToList(), rows.Count > take);
    }

    public async Task<Result<ServiceAccountRow>> GetAsync(Guid organizationId, Guid serviceAccountId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ManageServiceAccounts, ct);
        if (!access.IsSuccess) return access.Error;
        var row = await RowAsync(organizationId, serviceAccountId, ct);
        return row is null ? Error.NotFound("The service account") : row;
    }

    /// <summary>Creates an account with an organization role and optional project roles; the secret is returned this once.</summary>
    /// <summary>Creates an account; without <paramref name="role"/> it holds no organization role until one is bound (SPEC §1.3a).</summary>
    public async Task<Result<ServiceAccountWithSecret>> CreateAsync(Guid organizationId, string? name, Role? role,
        IReadOnlyList<ProjectGrant>? projects = null, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ManageServiceAccounts, ct);
        if (!access.IsSuccess) return access.Error;
        if (PlanError(access.Value.Plan) is { } plan) return plan;
        var validName = ValidateName(name);
        if (!validName.IsSuccess) return validName.Error;
        if (role is { } orgRole && ValidateOrgRole(orgRole) is { } badRole) return badRole;
        var grants = (projects ?? []).ToList();
        if (grants.GroupBy(g => g.ProjectId).Any(g => g.Count() > 1)) return Error.Validation("Projects", "Give each project one role.");
        if (grants.Select(g => ValidateProjectRole(g.Role)).FirstOrDefault(e => e is not null) is { } badGrant) return badGrant;

        var (clientId, secret) = (NewClientId(), NewSecret());
        var result = await dbFactory.WriteAsync<Guid>(async db =>
        {
            // Again under the write lock: a downgrade committed since the check above counts.
            if (PlanError(await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Plan).FirstAsync(ct)) is { } planNow) return planNow;
            if (grants.Count > 0)
            {
                var ids = grants.Select(g => g.ProjectId).ToList();
                var found = await db.Projects.CountAsync(p => p.OrganizationId == organizationId && ids.Contains(p.Id), ct);
                if (found != ids.Count) return Error.NotFound("The project");
            }
            var now = time.UtcNow();
            var account = new ServiceAccount
            {
                Id = Guid.NewGuid(), OrganizationId = organizationId, Name = validName.Value, ClientId = clientId,
                SecretHash = Hash(secret), CreatedAt = now, UpdatedAt = now, CreatedBy = access.Value.Actor.Id,
            };
            db.ServiceAccounts.Add(account);
            if (role is { } granted) db.RoleAssignments.Add(Assignment(account, granted, now, projectId: null));
            foreach (var grant in grants) db.RoleAssignments.Add(Assignment(account, grant.Role, now, grant.ProjectId));
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("service_account.created", "service_account", account.Id.ToString(),
                After: new { account.Name, account.ClientId, Role = role?.ToString(), Projects = grants.Select(g => new { g.ProjectId, Role = g.Role.ToString() }) }), ct);
            return account.Id;
        }, ct);
        if (!result.IsSuccess) return result.Error;
        var row = await RowAsync(organizationId, result.Value, ct);
        return new ServiceAccountWithSecret(row!, secret);
    }

    public async Task<Result<ServiceAccountRow>> RenameAsync(Guid organizationId, Guid serviceAccountId, string? name, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ManageServiceAccounts, ct);
        if (!access.IsSuccess) return access.Error;
        if (PlanError(access.Value.Plan) is { } plan) return plan;
        var validName = ValidateName(name);
        if (!validName.IsSuccess) return validName.Error;
        var result = await dbFactory.WriteAsync(async db =>
        {
            var account = await FindAsync(db, organizationId, serviceAccountId, ct);
            if (account is null) return Error.NotFound("The service account");
            if (account.Name == validName.Value) return Result.Ok();
            var before = account.Name;
            account.Name = validName.Value;
            account.UpdatedAt = time.UtcNow();
            await db.RoleAssignments.Where(r => r.PrincipalType == PrincipalType.ServiceAccount && r.PrincipalId == account.Id.ToString())
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.PrincipalName, account.Name), ct);
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("service_account.renamed", "service_account", account.Id.ToString(),
                Before: new { Name = before }, After: new { account.Name }), ct);
            return Result.Ok();
        }, ct);
        return result.IsSuccess ? (await RowAsync(organizationId, serviceAccountId, ct))! : result.Error;
    }

    /// <summary>
    /// Changes the account's organization role: afterwards it holds exactly <paramref name="role"/> (the console's replace);
    /// it counts from the account's very next request.
    /// </summary>
    public Task<Result> ChangeRoleAsync(Guid organizationId, Guid serviceAccountId, Role role, CancellationToken ct = default) =>
        ChangeBindingsAsync(organizationId, serviceAccountId, projectId: null, grant: role, set =>
        {
            if (set.Held.Count == 1 && set.Held[0].Role == role) return Unchanged;
            var before = Roles.MostPrivilegedFirst(set.Held.Select(b => b.Role));
            set.Replace(role);
            set.Account.UpdatedAt = time.UtcNow();
            return new AuditEntry("service_account.role_changed", "service_account", set.Account.Id.ToString(),
                Before: new { Role = before.Count == 0 ? null : before[0].ToString(), Roles = before.Select(r => r.ToString()) }, After: new { Role = role.ToString() });
        }, ct);

    /// <summary>Binds one more organization role to the account (bindings add up, SPEC §1.3a); holding it already is a conflict.</summary>
    public Task<Result> AddOrgRoleAsync(Guid organizationId, Guid serviceAccountId, Role role, CancellationToken ct = default) =>
        ChangeBindingsAsync(organizationId, serviceAccountId, projectId: null, grant: role, set =>
        {
            if (set.Held.Any(b => b.Role == role)) return Error.Conflict($"{set.Account.Name} is already {role.DisplayName()}.");
            set.Add(role);
            return new AuditEntry("service_account.role_added", "service_account", set.Account.Id.ToString(), After: new { Role = role.ToString() });
        }, ct);

    /// <summary>Takes one organization role away; an account may hold none (it can then do nothing until a role is bound).</summary>
    public Task<Result> RemoveOrgRoleAsync(Guid organizationId, Guid serviceAccountId, Role role, CancellationToken ct = default) =>
        ChangeBindingsAsync(organizationId, serviceAccountId, projectId: null, grant: null, set =>
        {
            var binding = set.Held.FirstOrDefault(b => b.Role == role);
            if (binding is null) return Error.NotFound("The role binding");
            set.Remove([binding]);
            return new AuditEntry("service_account.role_removed", "service_account", set.Account.Id.ToString(), Before: new { Role = role.ToString() });
        }, ct);

    /// <summary>Binds one more project role (the Admin API's create: bindings add up); holding it already is a conflict.</summary>
    public Task<Result> AddProjectRoleAsync(Guid organizationId, Guid serviceAccountId, Guid projectId, Role role, CancellationToken ct = default) =>
        ChangeBindingsAsync(organizationId, serviceAccountId, projectId, grant: role, set =>
        {
            if (set.Held.Any(r => r.Role == role)) return Error.Conflict($"{set.Account.Name} is already {role.DisplayName()} of {set.ProjectName}.");
            set.Add(role);
            return new AuditEntry(set.Held.Count == 0 ? "service_account.project_connected" : "service_account.project_role_added",
                "service_account", set.Account.Id.ToString(), After: new { Role = role.ToString() }, ProjectId: projectId);
        }, ct);

    /// <summary>Takes one project role away (the Admin API's delete).</summary>
    public Task<Result> RemoveProjectRoleAsync(Guid organizationId, Guid serviceAccountId, Guid projectId, Role role, CancellationToken ct = default) =>
        ChangeBindingsAsync(organizationId, serviceAccountId, projectId, grant: null, set =>
        {
            var binding = set.Held.FirstOrDefault(r => r.Role == role);
            if (binding is null) return Error.NotFound("The role binding");
            set.Remove([binding]);
            return new AuditEntry(set.Held.Count == 1 ? "service_account.project_disconnected" : "service_account.project_role_removed",
                "service_account", set.Account.Id.ToString(), Before: new { Role = role.ToString() }, ProjectId: projectId);
        }, ct);

    private static readonly Result<AuditEntry?> Unchanged = Result<AuditEntry?>.Ok(null);

    /// <summary>
    /// The one shape of every change to the account's role bindings on one resource — the organization (<paramref name="projectId"/>
    /// null) or a project: demand ManageServiceAccounts; for a grant, the plan and the role's scope; then one write transaction that
    /// finds the account (and the project, for a grant), loads the bindings it holds there, applies <paramref name="change"/> and
    /// records its audit entry. An organization change renews the account's version (its tokens' view of its roles).
    /// </summary>
    private async Task<Result> ChangeBindingsAsync(Guid organizationId, Guid serviceAccountId, Guid? projectId, Role? grant,
        Func<BindingSet, Result<AuditEntry?>> change, CancellationToken ct)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ManageServiceAccounts, ct);
        if (!access.IsSuccess) return access.Error;
        if (grant is { } role)
        {
            if (PlanError(access.Value.Plan) is { } plan) return plan;
            if ((projectId is null ? ValidateOrgRole(role) : ValidateProjectRole(role)) is { } badRole) return badRole;
        }
        return await dbFactory.WriteAsync(async db =>
        {
            var account = await FindAsync(db, organizationId, serviceAccountId, ct);
            if (account is null) return Error.NotFound("The service account");
            string? projectName = null;
            if (grant is not null && projectId is { } pid)
            {
                projectName = await db.Projects.AsNoTracking().Where(p => p.Id == pid && p.OrganizationId == organizationId).Select(p => p.Name).FirstOrDefaultAsync(ct);
                if (projectName is null) return Error.NotFound("The project");
            }
            var held = await db.RoleAssignments.Where(r => r.OrganizationId == account.OrganizationId && r.ProjectId == projectId
                && r.PrincipalType == PrincipalType.ServiceAccount && r.PrincipalId == account.Id.ToString()).ToListAsync(ct);
            var outcome = change(new BindingSet(db, account, projectId, projectName, held, time.UtcNow()));
            if (!outcome.IsSuccess) return outcome.Error;
            if (outcome.Value is not { } entry) return Result.Ok();
            if (projectId is null) db.Touch(account);
            await audit.AppendAsync(db, access.Value.Actor, organizationId, entry, ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>The bindings a service account holds on one resource, inside a change's write transaction.</summary>
    private sealed class BindingSet(ApplicationDbContext db, ServiceAccount account, Guid? projectId, string? projectName, List<RoleAssignment> held, DateTime now)
    {
        public ServiceAccount Account => account;

        public IReadOnlyList<RoleAssignment> Held => held;

        /// <summary>The project's name, for a grant on a project.</summary>
        public string? ProjectName => projectName;

        public void Add(Role role) => db.RoleAssignments.Add(Assignment(account, role, now, projectId));

        public void Remove(IEnumerable<RoleAssignment> bindings) => db.RoleAssignments.RemoveRange(bindings);

        /// <summary>Leaves the account holding exactly <paramref name="role"/> here: keeps that binding if held, adds it if not, removes the rest.</summary>
        public void Replace(Role role)
        {
            if (held.All(b => b.Role != role)) Add(role);
            Remove(held.Where(b => b.Role != role).ToList());
        }
    }

    /// <summary>Issues a new secret: the old one, and every token issued with it, stop working at once.</summary>
    public async Task<Result<ServiceAccountWithSecret>> RotateSecretAsync(Guid organizationId, Guid serviceAccountId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ManageServiceAccounts, ct);
        if (!access.IsSuccess) return access.Error;
        if (PlanError(access.Value.Plan) is { } plan) return plan;
        var secret = NewSecret();
        var result = await dbFactory.WriteAsync(async db =>
        {
            var account = await FindAsync(db, organizationId, serviceAccountId, ct);
            if (account is null) return Error.NotFound("The service account");
            account.SecretHash = Hash(secret);
            account.SecretStamp = Guid.NewGuid();
            account.UpdatedAt = time.UtcNow();
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("service_account.secret_rotated", "service_account", account.Id.ToString(),
                After: new { account.Name, account.ClientId }), ct);
            return Result.Ok();
        }, ct);
        if (!result.IsSuccess) return result.Error;
        return new ServiceAccountWithSecret((await RowAsync(organizationId, serviceAccountId, ct))!, secret);
    }

    /// <summary>Deletes the account with all its role assignments. <paramref name="confirmationName"/> must repeat its name.</summary>
    public async Task<Result> DeleteAsync(Guid organizationId, Guid serviceAccountId, string? confirmationName, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ManageServiceAccounts, ct);
        if (!access.IsSuccess) return access.Error;
        return await dbFactory.WriteAsync(async db =>
        {
            var account = await FindAsync(db, organizationId, serviceAccountId, ct);
            if (account is null) return Error.NotFound("The service account");
            if (!string.Equals(confirmationName?.Trim(), account.Name, StringComparison.Ordinal))
            {
                return Error.Validation("ConfirmationName", $"Type the service account's name, {account.Name}, to confirm.");
            }
            var roles = await db.RoleAssignments.Where(r => r.OrganizationId == organizationId
                && r.PrincipalType == PrincipalType.ServiceAccount && r.PrincipalId == account.Id.ToString()).ExecuteDeleteAsync(ct);
            db.ServiceAccounts.Remove(account);
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("service_account.deleted", "service_account", account.Id.ToString(),
                Before: new { account.Name, account.ClientId, RoleAssignments = roles }), ct);
            return Result.Ok();
        }, ct);
    }

    public async Task<Result<IReadOnlyList<ServiceAccountProjectRow>>> ListProjectsAsync(Guid organizationId, Guid serviceAccountId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ManageServiceAccounts, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.ServiceAccounts.AnyAsync(a => a.Id == serviceAccountId && a.OrganizationId == organizationId, ct)) return Error.NotFound("The service account");
        var principalId = serviceAccountId.ToString();
        var rows = await (
            from r in db.RoleAssignments
            join p in db.Projects on r.ProjectId equals p.Id
            where r.OrganizationId == organizationId && r.PrincipalType == PrincipalType.ServiceAccount && r.PrincipalId == principalId
            orderby p.Name
            select new ServiceAccountProjectRow(p.Id, p.Name, r.Role, r.CreatedAt)).AsNoTracking().ToListAsync(ct);
        return rows;
    }

    /// <summary>The service accounts connected to a project (visible to everyone who may see the project's members).</summary>
    public async Task<Result<IReadOnlyList<ProjectServiceAccountRow>>> ListForProjectAsync(Guid organizationId, Guid projectId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.ViewProjectMembers, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var connections = await db.RoleAssignments.AsNoTracking()
            .Where(r => r.ProjectId == projectId && r.PrincipalType == PrincipalType.ServiceAccount)
            .Select(r => new { r.PrincipalId, r.Role, r.CreatedAt }).ToListAsync(ct);
        var ids = connections.Select(c => Guid.TryParse(c.PrincipalId, out var id) ? id : Guid.Empty).ToList();
        var accounts = await db.ServiceAccounts.AsNoTracking().Where(a => a.OrganizationId == organizationId && ids.Contains(a.Id)).ToListAsync(ct);
        return accounts.Select(a =>
        {
            var held = connections.Where(c => c.PrincipalId == a.Id.ToString()).ToList();
            var roles = Roles.MostPrivilegedFirst(held.Select(c => c.Role));
            return new ProjectServiceAccountRow(a.Id, a.Name, a.ClientId, roles[0], held.Min(c => c.CreatedAt), roles);
        }).OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Gives the account a project role, or changes the one it holds. Holding that very role already is a conflict.</summary>
    public Task<Result> ConnectProjectAsync(Guid organizationId, Guid serviceAccountId, Guid projectId, Role role, CancellationToken ct = default) =>
        ChangeBindingsAsync(organizationId, serviceAccountId, projectId, grant: role, set =>
        {
            // The console's connect is a replace: afterwards the account holds exactly this role on the project.
            if (set.Held.Count == 1 && set.Held[0].Role == role) return Error.Conflict($"{set.Account.Name} is already {role.DisplayName()} of {set.ProjectName}.");
            var before = set.Held.OrderBy(r => r.Role).FirstOrDefault()?.Role;
            set.Replace(role);
            return new AuditEntry(before is null ? "service_account.project_connected" : "service_account.project_role_changed", "service_account", set.Account.Id.ToString(),
                Before: before is null ? null : new { Role = before.ToString() }, After: new { Role = role.ToString() }, ProjectId: projectId);
        }, ct);

    public Task<Result> DisconnectProjectAsync(Guid organizationId, Guid serviceAccountId, Guid projectId, CancellationToken ct = default) =>
        ChangeBindingsAsync(organizationId, serviceAccountId, projectId, grant: null, set =>
        {
            var existing = set.Held.OrderBy(r => r.Role).FirstOrDefault();
            if (existing is null) return Error.NotFound("The project connection");
            set.Remove(set.Held.ToList());
            return new AuditEntry("service_account.project_disconnected", "service_account", set.Account.Id.ToString(),
                Before: new { Role = existing.Role.ToString() }, ProjectId: projectId);
        }, ct);

    /// <summary>Unknown client id or wrong secret: one answer for both, so the refusal tells nothing about which.</summary>
    public static readonly Error InvalidClient = Error.Forbidden("Unknown client_id or wrong client_secret.");

    /// <summary>
    /// Checks client credentials (the OAuth token endpoint). No actor is needed: the credentials are the identity.
    /// Unknown ids and wrong secrets fail alike (<see cref="InvalidClient"/>), compared in constant time; valid credentials
    /// of an organization whose plan no longer includes service accounts get the one plan-gate refusal (<see cref="PlanGate"/>).
    /// </summary>
    public async Task<Result<ServiceAccountIdentity>> AuthenticateAsync(string? clientId, string? clientSecret, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(clientId) || clientId.Length > 64 || string.IsNullOrEmpty(clientSecret) || clientSecret.Length > 200)
        {
            return InvalidClient;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await CredentialQuery.For(db)(db, clientId, ct);
        if (!Secrets.Matches(clientSecret, row?.SecretHash ?? Secrets.NoHash) || row is null) return InvalidClient;
        if (PlanError(row.Plan) is { } notIncluded) return notIncluded;
        return new ServiceAccountIdentity(row.Id, row.OrganizationId, row.Name, row.SecretStamp);
    }

    /// <summary>
    /// The account a token names, if it still exists with the same secret stamp in a live organization whose plan
    /// allows service accounts; null otherwise (deleted, rotated, organization deleted or downgraded). Read with it, in the
    /// same query: the account's organization roles (<see cref="ActiveServiceAccount.Membership"/>), for the request's first access check.
    /// </summary>
    public async Task<ActiveServiceAccount?> FindActiveAsync(Guid serviceAccountId, Guid secretStamp, CancellationToken ct = default)
    {
        ActiveAccountRow? first = null;
        List<Role>? roles = null;
        if (keptReads.Enabled)
        {
            (first, roles) = await keptReads.ReadAsync(ActiveAccountSql, (serviceAccountId, secretStamp), BindActiveAccount, ReadActiveAccount, ct);
        }
        else
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await foreach (var row in ActiveAccountQuery.For(db)(db, serviceAccountId, secretStamp, serviceAccountId.ToString()).WithCancellation(ct))
            {
                first ??= row;
                if (row.Role is { } role) (roles ??= new List<Role>(1)).Add(role);
            }
        }
        if (first is null || !PlanLimits.For(first.Plan).AllowsServiceAccounts) return null;
        var membership = new Membership(first.OrganizationId, first.OrganizationName, first.Plan, PrincipalType.ServiceAccount, first.Id.ToString(), roles ?? []);
        return new ActiveServiceAccount(first.Id, first.OrganizationId, first.Name, first.SecretStamp, membership);
    }

    private sealed record CredentialRow(Guid Id, Guid OrganizationId, string Name, string SecretHash, Guid SecretStamp, Plan Plan);

    private sealed record ActiveAccountRow(Guid Id, Guid OrganizationId, string Name, Guid SecretStamp, Plan Plan, string OrganizationName, Role? Role);

    // The token endpoint and the Admin API gate run these on every request: compiled (per model) instead of translated per call.
    private static readonly PerModelQuery<Func<ApplicationDbContext, string, CancellationToken, Task<CredentialRow?>>> CredentialQuery =
        PerModelQuery.Compile(() => EF.CompileAsyncQuery((ApplicationDbContext db, string clientId, CancellationToken ct) => (
            from a in db.ServiceAccounts.AsNoTracking()
            join o in db.Organizations on a.OrganizationId equals o.Id
            where a.ClientId == clientId && o.DeletedAt == null
            select new CredentialRow(a.Id, a.OrganizationId, a.Name, a.SecretHash, a.SecretStamp, o.Plan)).FirstOrDefault()));

    // One row per organization role the account holds (one with no role when it holds none).
    private static readonly PerModelQuery<Func<ApplicationDbContext, Guid, Guid, string, IAsyncEnumerable<ActiveAccountRow>>> ActiveAccountQuery =
        PerModelQuery.Compile(() => EF.CompileAsyncQuery((ApplicationDbContext db, Guid serviceAccountId, Guid secretStamp, string principalId) =>
            from a in db.ServiceAccounts.AsNoTracking()
            join o in db.Organizations on a.OrganizationId equals o.Id
            where a.Id == serviceAccountId && a.SecretStamp == secretStamp && o.DeletedAt == null
            from ra in db.RoleAssignments
                .Where(ra => ra.OrganizationId == a.OrganizationId && ra.ProjectId == null
                             && ra.PrincipalType == PrincipalType.ServiceAccount && ra.PrincipalId == principalId)
                .DefaultIfEmpty()
            select new ActiveAccountRow(a.Id, a.OrganizationId, a.Name, a.SecretStamp, o.Plan, o.Name, ra == null ? null : (Role?)ra.Role)));

    // The same read on SQLite's kept connections, prepared once per connection (KeptReadConnections): the SQL EF Core
    // generates for ActiveAccountQuery, with values bound as EF binds them (Guids as upper-case text, enums as their names).
    // KeptReadTests run both and compare.
    private static readonly KeptQuery ActiveAccountSql = new("""
        SELECT "s"."Id", "s"."OrganizationId", "s"."Name", "s"."SecretStamp", "o"."Plan", "o"."Name", "r0"."Role"
        FROM "ServiceAccounts" AS "s"
        INNER JOIN "Organizations" AS "o" ON "s"."OrganizationId" = "o"."Id"
        LEFT JOIN (
            SELECT "r"."Role", "r"."OrganizationId" AS "OrganizationId0"
            FROM "RoleAssignments" AS "r"
            WHERE "r"."ProjectId" IS NULL AND "r"."PrincipalType" = 'ServiceAccount' AND "r"."PrincipalId" = @principalId
        ) AS "r0" ON "s"."OrganizationId" = "r0"."OrganizationId0"
        WHERE "s"."Id" = @serviceAccountId AND "s"."SecretStamp" = @secretStamp AND "o"."DeletedAt" IS NULL
        """, "@principalId", "@serviceAccountId", "@secretStamp");

    private static void BindActiveAccount(Microsoft.Data.Sqlite.SqliteParameterCollection parameters, (Guid Id, Guid SecretStamp) args)
    {
        parameters[0].Value = args.Id.ToString();
        parameters[1].Value = KeptSql.Guid(args.Id);
        parameters[2].Value = KeptSql.Guid(args.SecretStamp);
    }

    private static (ActiveAccountRow?, List<Role>?) ReadActiveAccount(Microsoft.Data.Sqlite.SqliteDataReader reader)
    {
        ActiveAccountRow? first = null;
        List<Role>? roles = null;
        while (reader.Read())
        {
            first ??= new ActiveAccountRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetGuid(3),
                KeptSql.Enum<Plan>(reader, 4), reader.GetString(5), null);
            if (!reader.IsDBNull(6)) (roles ??= new List<Role>(1)).Add(KeptSql.Enum<Role>(reader, 6));
        }
        return (first, roles);
    }

    private static Error? PlanError(Plan plan) => PlanGate.ServiceAccounts(plan);

    public static Result<string> ValidateName(string? name) => Names.Validate(name, NameMaxLength, "service account");

    private static Error? ValidateOrgRole(Role role) => Roles.ScopeOf(role) == RoleScope.Organization ? null
        : Error.Validation("Role", $"Choose an organization role: {string.Join(", ", Roles.OrganizationRoles.Select(r => r.DisplayName()))}.");

    private static Error? ValidateProjectRole(Role role) => Roles.ScopeOf(role) == RoleScope.Project ? null
        : Error.Validation("Role", $"Choose a project role: {string.Join(" or ", Roles.ProjectRoles.Select(r => r.DisplayName()))}.");

    private static RoleAssignment Assignment(ServiceAccount account, Role role, DateTime now, Guid? projectId) => new()
    {
        OrganizationId = account.OrganizationId, ProjectId = projectId, PrincipalType = PrincipalType.ServiceAccount,
        PrincipalId = account.Id.ToString(), Role = role, CreatedAt = now, PrincipalName = account.Name,
    };

    private static Task<ServiceAccount?> FindAsync(ApplicationDbContext db, Guid organizationId, Guid id, CancellationToken ct) =>
        db.ServiceAccounts.FirstOrDefaultAsync(a => a.Id == id && a.OrganizationId == organizationId, ct);

    private async Task<ServiceAccountRow?> RowAsync(Guid organizationId, Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await RowsAsync(db, db.ServiceAccounts.Where(a => a.OrganizationId == organizationId && a.Id == id), ct)).FirstOrDefault();
    }

    /// <summary>The accounts of a query (already ordered and paged), with their organization role and project count.</summary>
    private static async Task<List<ServiceAccountRow>> RowsAsync(ApplicationDbContext db, IQueryable<ServiceAccount> accounts, CancellationToken ct)
    {
        var list = await accounts.AsNoTracking().ToListAsync(ct);
        var ids = list.Select(a => a.Id.ToString()).ToList();
        var roles = await db.RoleAssignments.AsNoTracking()
            .Where(r => r.PrincipalType == PrincipalType.ServiceAccount && ids.Contains(r.PrincipalId))
            .Select(r => new { r.PrincipalId, r.ProjectId, r.Role }).ToListAsync(ct);
        return list.Select(a =>
        {
            var mine = roles.Where(r => r.PrincipalId == a.Id.ToString()).ToList();
            var orgRoles = Roles.MostPrivilegedFirst(mine.Where(r => r.ProjectId == null).Select(r => r.Role));
            Role? orgRole = orgRoles.Count == 0 ? null : orgRoles[0];
            return new ServiceAccountRow(a.Id, a.Name, a.ClientId, orgRole, a.CreatedAt, a.UpdatedAt, mine.Where(r => r.ProjectId != null).Select(r => r.ProjectId).Distinct().Count(), orgRoles);
        }).ToList();
    }

    /// <summary>A public client id: 160 random bits, base32 (32 characters).</summary>
    internal static string NewClientId() => Secrets.RandomBase32(20);

    /// <summary>The secret: 256 bits from the OS CSPRNG, base32, with a recognisable prefix (for secret scanners).</summary>
    internal static string NewSecret() => SecretPrefix + Secrets.RandomBase32(32);

    internal static string Hash(string value) => Secrets.Sha256Hex(value);
}
