using OrgConsole.Common.Jobs;

namespace OrgConsole.Features.Billing;

/// <summary>
/// Closes ended monthly periods (issuing their invoices) and sends spend alerts. Runs at start-up and hourly, on one
/// app instance at a time (<see cref="LeasedHostedJob"/>); every step is idempotent, so a repeated run never doubles anything.
/// </summary>
public sealed class BillingJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<BillingJob> logger) : LeasedHostedJob(scopes, time, logger)
{
    protected override string LeaseName => "billing";

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var invoices = services.GetRequiredService<InvoiceService>();
        var issued = await invoices.ClosePeriodsAsync(ct);
        if (issued > 0) logger.LogInformation("Issued {Count} invoices for ended billing periods", issued);
        await invoices.SendSpendAlertsAsync(null, ct);
    }
}
