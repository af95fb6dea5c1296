using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Organizations;

namespace OrgConsole.Features.Sso;

/// <summary>What the provider said about the person, after the OpenID Connect handler validated it.</summary>
public sealed record SsoIdentity(string Issuer, string Subject, string? Email, bool? EmailVerified, string? DisplayName);

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

    /// <summary>The external login's provider name for an issuer: stable, within Identity's 128-character key.</summary>
    public static string LoginProviderOf(string issuer) => "oidc:" + Secrets.Sha256Hex(issuer.TrimEnd('/'))[..40];

    /// <summary>Identity keys are at most 128 characters; a longer subject is stored as its hash.</summary>
    public static string ProviderKeyOf(string subject) => subject.Length <= 128 ? subject : "sha256:" + Secrets.Sha256Hex(subject);

    /// <summary>
    /// Admits a person the organization's provider vouched for. The identity is found by (issuer, subject) — its
    /// external login. Only the first time may it be linked to an existing account by email, and only for an email in a
    /// verified domain of this organization that the provider does not call unverified; an account already linked to
    /// another subject of this provider is never taken over by email (a reassigned address must not inherit it).
    /// </summary>
    public async Task<Result<SsoAdmission>> AdmitAsync(Guid organizationId, SsoIdentity identity, string? ipAddress, string? userAgent, CancellationToken ct = default)
    {
        var email = identity.Email?.Trim();
        var domain = SsoRules.DomainOf(email);
        var loginProvider = LoginProviderOf(identity.Issuer);
        var providerKey = ProviderKeyOf(identity.Subject);
        try
        {
            return await AdmitCoreAsync(organizationId, identity, email, domain, loginProvider, providerKey, ipAddress, userAgent, ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Error.Conflict("The same identity signed in twice at the same moment. Try again.");
        }
    }

    private async Task<Result<SsoAdmission>> AdmitCoreAsync(Guid organizationId, SsoIdentity identity, string? email, string? domain, string loginProvider,
        string providerKey, string? ipAddress, string? userAgent, CancellationToken ct)
    {
        return await dbFactory.WriteAsync<SsoAdmission>(async db =>
        {
            var connection = await (
                from c in db.Set<SsoConnection>().Include(c => c.Domains)
                join o in db.Organizations on c.OrganizationId equals o.Id
                where c.OrganizationId == organizationId && o.DeletedAt == null && o.Plan == Plan.Enterprise
                select c).FirstOrDefaultAsync(ct);
            if (connection is null || !SsoRules.SameIssuer(connection.Issuer, identity.Issuer)) return Error.NotFound("The organization's single sign-on");

            var now = time.UtcNow();
            var login = await db.UserLogins.FirstOrDefaultAsync(l => l.LoginProvider == loginProvider && l.ProviderKey == providerKey, ct);
            ApplicationUser? user = login is null ? null : await db.Users.FirstOrDefaultAsync(u => u.Id == login.UserId, ct);
            var accountCreated = false;
            var linked = false;
            if (user is null)
            {
                if (email is null || domain is null || !connection.Domains.Any(d => d.Domain == domain && d.VerifiedAt != null))
                {
                    return Error.Validation("Email", $"{email ?? "The identity"} is not in a verified domain of this organization's single sign-on.");
                }
                if (identity.EmailVerified == false)
                {
                    return Error.Validation("EmailVerified", $"The identity provider says {email} is not verified.");
                }
                var normalizedEmail = normalizer.NormalizeEmail(email);
                user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalizedEmail, ct);
                if (user is not null && await db.UserLogins.AnyAsync(l => l.UserId == user.Id && l.LoginProvider == loginProvider, ct))
                {
                    return Error.Conflict($"{email} is already linked to another identity at this provider.");
                }
                if (user is null)
                {
                    accountCreated = true;
                    user = new ApplicationUser
                    {
                        UserName = email, NormalizedUserName = normalizer.NormalizeName(email), Email = email, NormalizedEmail = normalizedEmail,
                        EmailConfirmed = true, // the organization's provider vouches for the address in its own verified domain
                        SecurityStamp = Guid.NewGuid().ToString("N"), ConcurrencyStamp = Guid.NewGuid().ToString(), LockoutEnabled = true,
                        DisplayName = Trim(identity.DisplayName), CreatedAt = now,
                    };
                    db.Users.Add(user);
                }
                db.UserLogins.Add(new IdentityUserLogin<string> { LoginProvider = loginProvider, ProviderKey = providerKey, ProviderDisplayName = identity.Issuer, UserId = user.Id });
                linked = true;
            }
            if (user.LockoutEnd is { } lockedUntil && lockedUntil > time.GetUtcNow())
            {
                return Error.Forbidden("This account is locked out. Try again later.");
            }

            var actor = new Actor(ActorType.User, user.Id, user.Email ?? user.Id) { IpAddress = ipAddress, UserAgent = userAgent };
            var membership = await db.RoleAssignments.FirstOrDefaultAsync(r => r.OrganizationId == organizationId && r.ProjectId == null
                && r.PrincipalType == PrincipalType.User && r.PrincipalId == user.Id, ct);
            var joined = membership is null;
            if (membership is null)
            {
                // Existing members are never touched: no demotion, no change to owners.
                membership = RoleAssignment.ForUser(user, organizationId, connection.DefaultRole, now);
                db.RoleAssignments.Add(membership);
                await audit.AppendAsync(db, actor, organizationId, new AuditEntry("member.provisioned", "user", user.Id,
                    After: new { Email = user.Email, Role = membership.Role.ToString(), AccountCreated = accountCreated, Via = "sso" }), ct);
            }

            user.LastActiveAt = now;
            // Recorded like every other sign-in: in each organization the person belongs to.
            var organizations = await db.RoleAssignments.Where(r => r.ProjectId == null && r.PrincipalType == PrincipalType.User && r.PrincipalId == user.Id)
                .Select(r => r.OrganizationId).Distinct().ToListAsync(ct);
            if (!organizations.Contains(organizationId)) organizations.Add(organizationId);
            foreach (var org in organizations.Order())
            {
                await audit.AppendAsync(db, actor, org, new AuditEntry("auth.signed_in", "user", user.Id,
                    After: new { Email = user.Email, Method = "sso", Organization = organizationId, LinkedIdentity = linked ? identity.Issuer : null }), ct);
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
