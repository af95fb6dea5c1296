namespace OrgConsole.Features.Organizations;

/// <summary>Purges soft-deleted organizations once their retention period is over. Runs hourly.</summary>
public sealed class OrganizationPurgeJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<OrganizationPurgeJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var purged = await scope.ServiceProvider.GetRequiredService<OrganizationService>().PurgeExpiredAsync(stoppingToken);
                if (purged > 0) logger.LogInformation("Purged {Count} deleted organizations past their retention period", purged);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Purging deleted organizations failed; will retry in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
