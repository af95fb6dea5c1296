using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;

namespace OrgConsole.Features.Sso;

/// <summary>What one re-check found: domains still verified, domains whose record is gone, lookups that failed (left as they were).</summary>
public sealed record SsoRecheckReport(int StillVerified, IReadOnlyList<string> Unverified, int LookupFailures);

/// <summary>
/// Re-checks verified domains (SPEC §6): a domain whose challenge record has disappeared is no longer verified — it stops
/// routing sign-ins and being enforced — and the organization's owners are emailed. A lookup that fails (timeout,
/// server failure) changes nothing: only a definite answer without the record un-verifies.
/// </summary>
public sealed class SsoDomainMonitor(
    IDbContextFactory<ApplicationDbContext> dbFactory, SsoDns dns, AuditLog audit, TimeProvider time, SsoNotices notices, ILogger<SsoDomainMonitor> logger)
{
    public async Task<SsoRecheckReport> RecheckAsync(CancellationToken ct = default)
    {
        List<SsoDomain> verified;
        await using (var read = await dbFactory.CreateDbContextAsync(ct))
        {
            verified = await read.Set<SsoDomain>().AsNoTracking().Where(d => d.VerifiedAt != null).OrderBy(d => d.Domain).ToListAsync(ct);
        }
        var still = 0;
        var failures = 0;
        var lost = new List<string>();
        foreach (var claim in verified)
        {
            var lookup = await dns.LookupTxtAsync(SsoRules.ChallengeName(claim.Domain), ct);
            if (lookup.Outcome == TxtLookupOutcome.Failed)
            {
                failures++;
                continue;
            }
            if (lookup.Values.Contains(SsoRules.ChallengeValue(claim.VerificationToken), StringComparer.Ordinal))
            {
                still++;
                continue;
            }
            var changed = await dbFactory.WriteAsync(async db =>
            {
                var row = await db.Set<SsoDomain>().FirstOrDefaultAsync(d => d.Id == claim.Id && d.VerifiedAt != null, ct);
                if (row is null) return Error.NotFound("The verified domain");
                row.VerifiedAt = null;
                await audit.AppendAsync(db, Actor.System, row.OrganizationId, new AuditEntry("sso.domain_unverified", "sso_domain", row.Domain,
                    Before: new { Domain = row.Domain, Verified = true }, After: new { Domain = row.Domain, Verified = false, CheckedAt = time.UtcNow() },
                    Reason: $"The TXT record {SsoRules.ChallengeName(row.Domain)} no longer holds the verification value."), ct);
                return Result.Ok();
            }, ct);
            if (!changed.IsSuccess) continue;
            lost.Add(claim.Domain);
            logger.LogWarning("SSO domain {Domain} of organization {OrganizationId} lost its verification record; it is no longer verified", claim.Domain, claim.OrganizationId);
            await notices.EmailOwnersAsync(claim.OrganizationId, $"Single sign-on for {claim.Domain} stopped: verification record missing", "Domain no longer verified",
                $"<p>The DNS record <code>{SsoNotices.Encode(SsoRules.ChallengeName(claim.Domain))}</code> no longer holds your organization's verification value, "
                + $"so <strong>{SsoNotices.Encode(claim.Domain)}</strong> is no longer verified: its sign-ins do not go to your identity provider and single sign-on is not enforced for it.</p>"
                + "<p>Publish the record again and click Verify in your organization's single sign-on settings.</p>", ct: ct);
        }
        return new SsoRecheckReport(still, lost, failures);
    }
}

/// <summary>Runs <see cref="SsoDomainMonitor.RecheckAsync"/> every hour.</summary>
public sealed class SsoDomainRecheckJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<SsoDomainRecheckJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var report = await scope.ServiceProvider.GetRequiredService<SsoDomainMonitor>().RecheckAsync(stoppingToken);
                if (report.Unverified.Count > 0) logger.LogWarning("SSO domains no longer verified: {Domains}", string.Join(", ", report.Unverified));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Re-checking SSO domain verification failed; will retry in an hour");
            }
        }
    }
}
