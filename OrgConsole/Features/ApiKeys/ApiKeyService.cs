using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Plans;

namespace OrgConsole.Features.ApiKeys;

public sealed record ApiKeyRow(Guid Id, string Name, IReadOnlyList<Role> Roles, DateTime CreatedAt, DateTime? LastUsedAt);

/// <summary>One key with the project it belongs to, found by its id alone (the Admin API addresses keys that way).</summary>
public sealed record ApiKeyDetails(Guid Id, string Name, Guid ProjectId, IReadOnlyList<Role> Roles, DateTime CreatedAt, DateTime? LastUsedAt);

/// <summary>A new key: <see cref="Value"/> is shown to the person once and never stored.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Value, IReadOnlyList<Role> Roles);

/// <summary>Who a presented key is: what the check endpoint answers.</summary>
public sealed record ApiKeyIdentity(Guid KeyId, string Name, Guid ProjectId, Guid OrganizationId, IReadOnlyList<Role> Roles);

/// <summary>API keys of a project (SPEC §1.3, §4). Keys are shown once; the database holds only their SHA-256.</summary>
public sealed class ApiKeyService(IDbContextFactory<ApplicationDbContext> dbFactory, Authorizer authorizer, AuditLog audit, TimeProvider time)
{
    public const int NameMaxLength = 80;
    public const string Prefix = "pckey_";

    public static IReadOnlyList<Role> AllRoles => Roles.ApiKeyRoles;

    public async Task<Result<IReadOnlyList<ApiKeyRow>>> ListAsync(Guid organizationId, Guid projectId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.ViewApiKeys, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.ProjectId == projectId).OrderBy(k => k.Name).ToListAsync(ct);
        var roles = await RolesOfAsync(db, projectId, keys.Select(k => k.Id.ToString()).ToList(), ct);
        return keys.Select(k => new ApiKeyRow(k.Id, k.Name, roles.GetValueOrDefault(k.Id.ToString(), []), k.CreatedAt, k.LastUsedAt)).ToList();
    }

    /// <summary>A key of the organization by id; the caller needs <see cref="Permission.ViewApiKeys"/> on the key's project.</summary>
    public async Task<Result<ApiKeyDetails>> GetAsync(Guid organizationId, Guid keyId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var projectId = await db.ApiKeys.Where(k => k.Id == keyId && k.OrganizationId == organizationId).Select(k => (Guid?)k.ProjectId).FirstOrDefaultAsync(ct);
        if (projectId is null)
        {
            var member = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
            return member.IsSuccess ? Error.NotFound("The API key") : member.Error;
        }
        var access = await authorizer.DemandAsync(organizationId, projectId.Value, Permission.ViewApiKeys, ct);
        if (!access.IsSuccess) return access.Error.Kind == ErrorKind.NotFound ? Error.NotFound("The API key") : access.Error;
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keyId, ct);
        if (key is null) return Error.NotFound("The API key");
        var roles = await RolesOfAsync(db, key.ProjectId, [key.Id.ToString()], ct);
        return new ApiKeyDetails(key.Id, key.Name, key.ProjectId, roles.GetValueOrDefault(key.Id.ToString(), []), key.CreatedAt, key.LastUsedAt);
    }

    /// <summary>The roles a key may be given on this organization's plan (Starter: ProjectEditor only).</summary>
    public async Task<Result<IReadOnlyList<Role>>> AllowedRolesAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewAccountDetails, ct);
        if (!access.IsSuccess) return access.Error;
        return Result<IReadOnlyList<Role>>.Ok(PlanLimits.For(access.Value.Plan).ApiKeyRoles);
    }

    public async Task<Result<CreatedApiKey>> CreateAsync(Guid organizationId, Guid projectId, string? name, IReadOnlyCollection<Role>? roles, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.CreateApiKeys, ct);
        if (!access.IsSuccess) return access.Error;
        var validName = ValidateName(name);
        if (!validName.IsSuccess) return validName.Error;
        var chosen = roles is { Count: > 0 } ? roles.Distinct().ToList() : [Role.ProjectEditor];

        var (label, value) = NewKey();
        return await dbFactory.WriteAsync<CreatedApiKey>(async db =>
        {
            // The plan is read under the write lock: a downgrade committed a moment ago counts.
            if (ValidateRoles(chosen, await PlanAsync(db, organizationId, ct)) is { } invalid) return invalid;
            var now = time.UtcNow();
            var key = new ApiKey
            {
                Id = Guid.NewGuid(), OrganizationId = organizationId, ProjectId = projectId, Name = validName.Value,
                Label = label, SecretHash = Hash(value), CreatedAt = now, CreatedByUserId = access.Value.Organization.Actor.Id,
            };
            db.ApiKeys.Add(key);
            AddRoles(db, key, chosen, now);
            await audit.AppendAsync(db, access.Value.Organization.Actor, organizationId, new AuditEntry("api_key.created", "api_key", key.Id.ToString(),
                After: new { key.Name, Roles = chosen.Select(r => r.ToString()) }, ProjectId: projectId), ct);
            return new CreatedApiKey(key.Id, key.Name, value, chosen);
        }, ct);
    }

    public async Task<Result> UpdateAsync(Guid organizationId, Guid projectId, Guid keyId, string? name, IReadOnlyCollection<Role>? roles, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.ManageApiKeys, ct);
        if (!access.IsSuccess) return access.Error;
        var validName = ValidateName(name);
        if (!validName.IsSuccess) return validName.Error;
        if (roles is not { Count: > 0 }) return Error.Validation("Roles", "Choose at least one role for the key.");
        var chosen = roles.Distinct().ToList();

        return await dbFactory.WriteAsync(async db =>
        {
            if (ValidateRoles(chosen, await PlanAsync(db, organizationId, ct)) is { } invalid) return invalid;
            var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.ProjectId == projectId && k.OrganizationId == organizationId, ct);
            if (key is null) return Error.NotFound("The API key");
            var current = await db.RoleAssignments.Where(r => r.ProjectId == projectId && r.PrincipalType == PrincipalType.ApiKey && r.PrincipalId == key.Id.ToString()).ToListAsync(ct);
            var before = new { key.Name, Roles = current.Select(r => r.Role.ToString()).Order().ToList() };
            key.Name = validName.Value;
            db.Touch(key);
            db.RoleAssignments.RemoveRange(current.Where(r => !chosen.Contains(r.Role)));
            AddRoles(db, key, chosen.Where(r => current.All(c => c.Role != r)), time.UtcNow());
            await audit.AppendAsync(db, access.Value.Organization.Actor, organizationId, new AuditEntry("api_key.updated", "api_key", key.Id.ToString(),
                Before: before, After: new { key.Name, Roles = chosen.Select(r => r.ToString()).Order().ToList() }, ProjectId: projectId), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>Deletes (revokes) a key: it is refused from its very next use. <paramref name="confirmationName"/> must repeat its name.</summary>
    public async Task<Result> DeleteAsync(Guid organizationId, Guid projectId, Guid keyId, string? confirmationName, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, projectId, Permission.ManageApiKeys, ct);
        if (!access.IsSuccess) return access.Error;

        return await dbFactory.WriteAsync(async db =>
        {
            var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.ProjectId == projectId && k.OrganizationId == organizationId, ct);
            if (key is null) return Error.NotFound("The API key");
            if (!string.Equals(confirmationName?.Trim(), key.Name, StringComparison.Ordinal))
            {
                return Error.Validation("ConfirmationName", $"Type the key's name, {key.Name}, to confirm.");
            }
            await db.RoleAssignments.Where(r => r.ProjectId == projectId && r.PrincipalType == PrincipalType.ApiKey && r.PrincipalId == key.Id.ToString()).ExecuteDeleteAsync(ct);
            db.ApiKeys.Remove(key);
            await audit.AppendAsync(db, access.Value.Organization.Actor, organizationId, new AuditEntry("api_key.deleted", "api_key", key.Id.ToString(),
                Before: new { key.Name }, ProjectId: projectId), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>Checks a presented key; on success records its use. Null for anything malformed, unknown or revoked.</summary>
    public async Task<ApiKeyIdentity?> VerifyAsync(string? presented, CancellationToken ct = default)
    {
        if (!TryParse(presented, out var label)) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await (
            from k in db.ApiKeys
            join o in db.Organizations on k.OrganizationId equals o.Id
            where k.Label == label && o.DeletedAt == null
            select k).AsNoTracking().FirstOrDefaultAsync(ct);
        if (key is null) return null;
        if (!Secrets.Matches(presented!, key.SecretHash)) return null;

        await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, time.UtcNow()), ct);
        var roles = await RolesOfAsync(db, key.ProjectId, [key.Id.ToString()], ct);
        return new ApiKeyIdentity(key.Id, key.Name, key.ProjectId, key.OrganizationId, roles.GetValueOrDefault(key.Id.ToString(), []));
    }

    /// <summary><c>pckey_&lt;label&gt;_&lt;secret&gt;</c>: a 40-bit public label and 256 bits of secret from the OS CSPRNG, both base32.</summary>
    internal static (string Label, string Value) NewKey()
    {
        var label = Secrets.RandomBase32(5);
        var secret = Secrets.RandomBase32(32);
        return (label, $"{Prefix}{label}_{secret}");
    }

    internal static string Hash(string value) => Secrets.Sha256Hex(value);

    private static bool TryParse(string? presented, out string label)
    {
        label = "";
        if (presented is null || presented.Length > 200 || !presented.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = presented[Prefix.Length..].Split('_');
        if (parts.Length != 2 || parts[0].Length != 8 || parts[1].Length < 40) return false;
        label = parts[0];
        return true;
    }

    private static Result<string> ValidateName(string? name) => Names.Validate(name, NameMaxLength, "key");

    private static Task<Plan> PlanAsync(ApplicationDbContext db, Guid organizationId, CancellationToken ct) =>
        db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Plan).FirstAsync(ct);

    private static Error? ValidateRoles(IReadOnlyCollection<Role> roles, Plan plan)
    {
        var notKeyRoles = roles.Where(r => Roles.ScopeOf(r) != RoleScope.ApiKey).ToList();
        if (notKeyRoles.Count > 0)
        {
            return Error.Validation("Roles", $"{RoleLabels.WithWireNames(notKeyRoles)} is not an API key role. Choose from {RoleLabels.WithWireNames(AllRoles)}.");
        }
        var allowed = PlanLimits.For(plan).ApiKeyRoles;
        var notOnPlan = roles.Where(r => !allowed.Contains(r)).ToList();
        return notOnPlan.Count == 0 ? null : Error.Validation("Roles",
            $"The {plan} plan allows only {RoleLabels.WithWireNames(allowed)} for API keys; upgrade the plan to use {RoleLabels.WithWireNames(notOnPlan)}.");
    }

    private static void AddRoles(ApplicationDbContext db, ApiKey key, IEnumerable<Role> roles, DateTime now)
    {
        foreach (var role in roles)
        {
            db.RoleAssignments.Add(new RoleAssignment
            {
                OrganizationId = key.OrganizationId, ProjectId = key.ProjectId, PrincipalType = PrincipalType.ApiKey,
                PrincipalId = key.Id.ToString(), Role = role, CreatedAt = now,
            });
        }
    }

    private static async Task<Dictionary<string, IReadOnlyList<Role>>> RolesOfAsync(ApplicationDbContext db, Guid projectId, List<string> keyIds, CancellationToken ct)
    {
        var rows = await db.RoleAssignments.AsNoTracking()
            .Where(r => r.ProjectId == projectId && r.PrincipalType == PrincipalType.ApiKey && keyIds.Contains(r.PrincipalId))
            .Select(r => new { r.PrincipalId, r.Role }).ToListAsync(ct);
        return rows.GroupBy(r => r.PrincipalId).ToDictionary(g => g.Key, g => (IReadOnlyList<Role>)g.Select(r => r.Role).Order().ToList());
    }
}
