using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Data;

namespace OrgConsole.Features.Sso;

/// <summary>Where an email signs in: the organization whose provider covers its domain.</summary>
public sealed record SsoRoute(Guid OrganizationId, string OrganizationName, string Domain, bool EnforceSso);

/// <summary>
/// Answers "does single sign-on apply to this email?" for the sign-in page and the password check. A domain routes
/// to its organization's provider only once verified, and while the organization exists and is on the Enterprise plan;
/// an unverified claim routes nothing and blocks nobody.
/// </summary>
public sealed class SsoDirectory(IDbContextFactory<ApplicationDbContext> dbFactory)
{
    public async Task<SsoRoute?> FindAsync(string? email, CancellationToken ct = default)
    {
        if (SsoRules.DomainOf(email) is not { } domain) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (
            from d in db.Set<SsoDomain>()
            join c in db.Set<SsoConnection>() on d.ConnectionId equals c.Id
            join o in db.Organizations on c.OrganizationId equals o.Id
            where d.Domain == domain && d.VerifiedAt != null && o.DeletedAt == null && o.Plan == Plan.Enterprise
            select new SsoRoute(o.Id, o.Name, d.Domain, c.EnforceSso)).AsNoTracking().FirstOrDefaultAsync(ct);
    }

    /// <summary>True when this email may not sign in with a password (or a passkey): its organization enforces SSO.</summary>
    public async Task<bool> RequiresSsoAsync(string? email, CancellationToken ct = default) =>
        await FindAsync(email, ct) is { EnforceSso: true };

    public static string EnforcedMessage(SsoRoute route) =>
        $"{route.OrganizationName} requires single sign-on for {route.Domain} addresses. Use “Continue with SSO” to sign in through your organization's identity provider.";
}
