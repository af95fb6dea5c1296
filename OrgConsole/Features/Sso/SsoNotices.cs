using System.Text.Encodings.Web;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Email;

namespace OrgConsole.Features.Sso;

/// <summary>Emails an organization's owners about its single sign-on (a dropped claim, a lost verification, a break-glass sign-in).</summary>
public sealed class SsoNotices(IDbContextFactory<ApplicationDbContext> dbFactory, IEmailTransport email, ILogger<SsoNotices> logger)
{
    /// <summary>Sends after the change is committed; a failed send is logged, never undoes the change.</summary>
    public async Task EmailOwnersAsync(Guid organizationId, string subject, string title, string htmlBody, string? exceptUserId = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var owners = await (
            from r in db.RoleAssignments.AsNoTracking()
            join u in db.Users.AsNoTracking() on r.PrincipalId equals u.Id
            where r.OrganizationId == organizationId && r.ProjectId == null && r.PrincipalType == PrincipalType.User
                && r.Role == Role.OrgOwner && u.Id != exceptUserId && u.Email != null
            select u.Email!).ToListAsync(ct);
        var body = IdentityEmailSender.Layout(title, htmlBody);
        foreach (var to in owners.Distinct())
        {
            try
            {
                await email.SendAsync(to, subject, body, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not email {To} about single sign-on of organization {OrganizationId}", to, organizationId);
            }
        }
    }

    public static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
