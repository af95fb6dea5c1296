using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Organizations;

namespace OrgConsole.Features.Sso;

/// <summary>Who signed in through a provider, and what provisioning did for them.</summary>
public sealed record SsoAdmission(string UserId, bool AccountCreated, bool JoinedOrganization, Role Role);

/// <summary>
/// Just-in-time provisioning (SPEC §6): the database side of an SSO sign-in whose id_token has been validated.
/// An unknown person gets an account and a membership with the default role; an existing member keeps the role
/// they have — the default role never demotes anyone and never touches an owner. Records the sign-in.
/// </summary>
public sealed class SsoProvisioning(IDbContextFactory<ApplicationDbContext> dbFactory, AuditLog audit, TimeProvider time, ILookupNormalizer normalizer)
{
    public const int DisplayNameMaxLength = 200;

    public async Task<Result<SsoAdmission>> AdmitAsync(Guid organizationId, string email, string? displayName, string? ipAddress, string? userAgent, CancellationToken ct = default)
    {
        var domain = SsoRules.DomainOf(email);
        return await dbFactory.WriteAsync<SsoAdmission>(async db =>
        {
            var connection = await (
                from c in db.Set<SsoConnection>().Include(c => c.Domains)
                join o in db.Organizations on c.OrganizationId equals o.Id
                where c.OrganizationId == organizationId && o.DeletedAt == null && o.Plan == Plan.Enterprise
                select c).FirstOrDefaultAsync(ct);
            if (connection is null) return Error.NotFound("The organization's single sign-on");
            if (domain is null || connection.Domains.All(d => d.Domain != domain))
            {
                return Error.Validation("Email", $"{email} is not in a domain this organization's single sign-on covers.");
            }

            var now = time.UtcNow();
            var normalizedEmail = normalizer.NormalizeEmail(email);
            var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalizedEmail, ct);
            var accountCreated = user is null;
            if (user is null)
            {
                user = new ApplicationUser
                {
                    UserName = email, NormalizedUserName = normalizer.NormalizeName(email), Email = email, NormalizedEmail = normalizedEmail,
                    EmailConfirmed = true, // the organization's provider vouches for the address in its own domain
                    SecurityStamp = Guid.NewGuid().ToString("N"), ConcurrencyStamp = Guid.NewGuid().ToString(), LockoutEnabled = true,
                    DisplayName = Trim(displayName), CreatedAt = now,
                };
                db.Users.Add(user);
            }
            else if (user.LockoutEnd is { } lockedUntil && lockedUntil > time.GetUtcNow())
            {
                return Error.Forbidden("This account is locked out. Try again later.");
            }

            var actor = new Actor(ActorType.User, user.Id, email) { IpAddress = ipAddress, UserAgent = userAgent };
            var membership = await db.RoleAssignments.FirstOrDefaultAsync(r => r.OrganizationId == organizationId && r.ProjectId == null
                && r.PrincipalType == PrincipalType.User && r.PrincipalId == user.Id, ct);
            var joined = membership is null;
            if (membership is null)
            {
                // Existing members are never touched: no demotion, no change to owners.
                membership = RoleAssignment.ForUser(user, organizationId, connection.DefaultRole, now);
                db.RoleAssignments.Add(membership);
                await audit.AppendAsync(db, actor, organizationId, new AuditEntry("member.provisioned", "user", user.Id,
                    After: new { Email = email, Role = membership.Role.ToString(), AccountCreated = accountCreated, Via = "sso" }), ct);
            }

            user.LastActiveAt = now;
            // Recorded like every other sign-in: in each organization the person belongs to.
            var organizations = await db.RoleAssignments.Where(r => r.ProjectId == null && r.PrincipalType == PrincipalType.User && r.PrincipalId == user.Id)
                .Select(r => r.OrganizationId).Distinct().ToListAsync(ct);
            if (!organizations.Contains(organizationId)) organizations.Add(organizationId);
            foreach (var org in organizations.Order())
            {
                await audit.AppendAsync(db, actor, org, new AuditEntry("auth.signed_in", "user", user.Id,
                    After: new { Email = email, Method = "sso", Organization = organizationId }), ct);
            }
            return new SsoAdmission(user.Id, accountCreated, joined, membership.Role);
        }, ct);
    }

    private static string? Trim(string? name)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return null;
        return trimmed.Length <= DisplayNameMaxLength ? trimmed : trimmed[..DisplayNameMaxLength];
    }
}
