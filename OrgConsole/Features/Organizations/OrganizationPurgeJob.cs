using OrgConsole.Common.Jobs;

namespace OrgConsole.Features.Organizations;

/// <summary>Purges soft-deleted organizations once their retention period is over. Runs hourly, on one app instance at a time.</summary>
public sealed class OrganizationPurgeJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<OrganizationPurgeJob> logger) : LeasedHostedJob(scopes, time, logger)
{
    protected override string LeaseName => "organization-purge";

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var purged = await services.GetRequiredService<OrganizationService>().PurgeExpiredAsync(ct);
        if (purged > 0) logger.LogInformation("Purged {Count} deleted organizations past their retention period", purged);
    }
}
