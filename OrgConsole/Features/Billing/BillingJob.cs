namespace OrgConsole.Features.Billing;

/// <summary>
/// Closes ended monthly periods (issuing their invoices) and sends spend alerts. Runs at start-up and hourly on the
/// app's <see cref="TimeProvider"/>; every step is idempotent, so overlapping or repeated runs never double anything.
/// </summary>
public sealed class BillingJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<BillingJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var invoices = scope.ServiceProvider.GetRequiredService<InvoiceService>();
                var issued = await invoices.ClosePeriodsAsync(stoppingToken);
                if (issued > 0) logger.LogInformation("Issued {Count} invoices for ended billing periods", issued);
                await invoices.SendSpendAlertsAsync(null, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "The billing job failed; it runs again in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
