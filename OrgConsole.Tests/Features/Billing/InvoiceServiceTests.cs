using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Features.Billing;
using OrgConsole.Tests.TestSupport;
using UglyToad.PdfPig;
using static OrgConsole.Tests.Features.Billing.BillingTestData;

namespace OrgConsole.Tests.Features.Billing;

public class InvoiceServiceTests
{
    private static async Task<(TestDb Db, Guid OrgId, string Admin, Guid Project)> OctoberUsageAsync(bool withCard = true)
    {
        var db = await TestDb.CreateAsync(); // the clock starts on 1 November 2026
        var (orgId, _, admin, project) = await db.StandardOrgAsync(withCard);
        await db.IngestAsync(
            Record("r1", project, "2026-10-03", "read_units", 1_000_000m),
            Record("r2", project, "2026-10-04", "read_units", 234_567m),
            Record("r3", project, "2026-10-04", "write_units", 2_500_001m),
            Record("r4", project, "2026-10-31", "storage_gb_hours", 1_000.5m),
            Record("r5", project, "2026-11-01", "read_units", 9_999m)); // November: not on October's invoice
        return (db, orgId, admin, project);
    }

    [Fact(Timeout = 60_000)]
    public async Task ClosePeriods_IssuesOneInvoicePerEndedMonth_WithTheUsageTimesThePlansPrices()
    {
        var (db, orgId, admin, _) = await OctoberUsageAsync(withCard: false);
        await using var _ = db;

        Assert.Equal(1, await db.Service<InvoiceService>(null).ClosePeriodsAsync());

        var list = (await db.Service<InvoiceService>(admin).ListAsync(orgId)).Value;
        Assert.Equal([InvoiceStatus.Draft, InvoiceStatus.Open], list.Select(i => i.Status));
        var october = list[1];
        Assert.Equal(new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), october.PeriodStart);
        Assert.Equal(75.00m, october.Total); // 25 fee + 19.75 + 10.00 + 0.45 usage + 19.80 top-up to the $50 minimum
        var details = (await db.Service<InvoiceService>(admin).GetAsync(orgId, october.Id!.Value)).Value;
        Assert.Equal(1_234_567m, details.Lines.Single(l => l.Description == "Search: Read units").Quantity);
        Assert.Contains(await db.AuditEventsAsync(orgId), e => e.Action == "invoice.issued");
    }

    [Fact(Timeout = 60_000)]
    public async Task ClosePeriods_RunTwiceOrConcurrently_NeverIssuesTwoInvoicesForAPeriod()
    {
        var (db, orgId, _, _) = await OctoberUsageAsync();
        await using var _ = db;

        var concurrent = await Task.WhenAll(
            db.Service<InvoiceService>(null).ClosePeriodsAsync(),
            db.Service<InvoiceService>(null).ClosePeriodsAsync(),
            db.Service<InvoiceService>(null).ClosePeriodsAsync());
        var again = await db.Service<InvoiceService>(null).ClosePeriodsAsync();

        Assert.Equal(1, concurrent.Sum());
        Assert.Equal(0, again);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal(1, await ctx.Invoices.CountAsync(i => i.OrganizationId == orgId));
        Assert.Single(await db.AuditEventsAsync(orgId), e => e.Action == "invoice.issued");
    }

    [Fact(Timeout = 60_000)]
    public async Task ClosePeriods_ChargesTheCardOnFile_AndTheNextMonthIsClosedWhenItEnds()
    {
        var (db, orgId, admin, _) = await OctoberUsageAsync(withCard: true);
        await using var _ = db;

        await db.Service<InvoiceService>(null).ClosePeriodsAsync();
        db.Time.Advance(TimeSpan.FromDays(31)); // into December
        Assert.Equal(1, await db.Service<InvoiceService>(null).ClosePeriodsAsync());

        var issued = (await db.Service<InvoiceService>(admin).ListAsync(orgId)).Value.Where(i => i.Id is not null).ToList();
        Assert.Equal(["INV-202611", "INV-202610"], issued.Select(i => i.Number[..10]));
        Assert.All(issued, i => Assert.Equal(InvoiceStatus.Paid, i.Status));
        Assert.Equal(75.00m, issued[0].Total); // November: 9,999 read units = $0.16, topped up to the minimum
    }

    [Fact(Timeout = 60_000)]
    public async Task Pay_ChargesAnOpenInvoice_OnceACardIsAdded()
    {
        var (db, orgId, admin, _) = await OctoberUsageAsync(withCard: false);
        await using var _ = db;
        await db.Service<InvoiceService>(null).ClosePeriodsAsync();
        var invoiceId = (await db.Service<InvoiceService>(admin).ListAsync(orgId)).Value[1].Id!.Value;

        var withoutCard = await db.Service<InvoiceService>(admin).PayAsync(orgId, invoiceId);
        Assert.Contains("payment method", withoutCard.Error?.Message);
        Assert.True((await db.Service<BillingService>(admin).SetPaymentMethodAsync(orgId, Visa)).IsSuccess);
        Assert.True((await db.Service<InvoiceService>(admin).PayAsync(orgId, invoiceId)).IsSuccess);
        var again = await db.Service<InvoiceService>(admin).PayAsync(orgId, invoiceId);

        Assert.Equal(OrgConsole.Common.ErrorKind.Conflict, again.Error?.Kind);
        var invoice = (await db.Service<InvoiceService>(admin).GetAsync(orgId, invoiceId)).Value;
        Assert.Equal(InvoiceStatus.Paid, invoice.Summary.Status);
        Assert.StartsWith("ch_test_", invoice.PaymentReference);
    }

    [Fact(Timeout = 60_000)]
    public async Task Pay_FromSeveralTabsAtOnce_ChargesOnce_AndTellsTheOthersItIsAlreadyPaid()
    {
        var (db, orgId, admin, _) = await OctoberUsageAsync(withCard: false);
        await using var _ = db;
        await db.Service<InvoiceService>(null).ClosePeriodsAsync();
        var invoiceId = (await db.Service<InvoiceService>(admin).ListAsync(orgId)).Value[1].Id!.Value;
        Assert.True((await db.Service<BillingService>(admin).SetPaymentMethodAsync(orgId, Visa)).IsSuccess);
        var gateway = (TestPaymentGateway)db.Services.GetRequiredService<IPaymentGateway>();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => db.Service<InvoiceService>(admin).PayAsync(orgId, invoiceId))));

        Assert.Single(results, r => r.IsSuccess);
        Assert.All(results.Where(r => !r.IsSuccess), r =>
        {
            Assert.Equal(OrgConsole.Common.ErrorKind.Conflict, r.Error?.Kind);
            Assert.Contains("already paid", r.Error?.Message);
        });
        var invoice = (await db.Service<InvoiceService>(admin).GetAsync(orgId, invoiceId)).Value;
        var charge = Assert.Single(gateway.Charges, c => c.Description.Contains(invoice.Summary.Number));
        Assert.Equal(InvoiceStatus.Paid, invoice.Summary.Status);
        Assert.Equal(charge.Reference, invoice.PaymentReference);
        Assert.Equal($"invoice-{invoiceId:N}-attempt-1", charge.IdempotencyKey);
        Assert.Single(await db.AuditEventsAsync(orgId), e => e.Action == "invoice.paid");
    }

    [Fact(Timeout = 60_000)]
    public async Task TheTestGateway_HonoursIdempotencyKeys_AsRealGatewaysDo()
    {
        var gateway = new TestPaymentGateway(TimeProvider.System);
        var card = (await gateway.TokenizeAsync(Visa)).Value;

        var first = await gateway.ChargeAsync(card.Token, 75m, "invoice", "key-1");
        var retried = await gateway.ChargeAsync(card.Token, 75m, "invoice", "key-1");
        var reusedForAnotherAmount = await gateway.ChargeAsync(card.Token, 80m, "invoice", "key-1");
        var second = await gateway.ChargeAsync(card.Token, 75m, "invoice", "key-2");

        Assert.Equal(first.Value, retried.Value);
        Assert.Equal(OrgConsole.Common.ErrorKind.Conflict, reusedForAnotherAmount.Error?.Kind);
        Assert.NotEqual(first.Value, second.Value);
        Assert.Equal(2, gateway.Charges.Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task Pdf_IsARealPdf_WithTheInvoiceNumberLinesAndTotal()
    {
        var (db, orgId, admin, _) = await OctoberUsageAsync(withCard: false);
        await using var _ = db;
        await db.Service<InvoiceService>(null).ClosePeriodsAsync();
        var invoice = (await db.Service<InvoiceService>(admin).ListAsync(orgId)).Value[1];

        var pdf = await db.Service<InvoiceService>(admin).RenderPdfAsync(orgId, invoice.Id!.Value);

        Assert.Equal($"{invoice.Number}.pdf", pdf.Value.FileName);
        using var document = PdfDocument.Open(pdf.Value.Content);
        var text = string.Join(" ", document.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        Assert.Contains(invoice.Number, text);
        Assert.Contains("Search: Read units", text);
        Assert.Contains("1,234,567", text);
        Assert.Contains("$19.75", text);
        Assert.Contains("Monthly minimum top-up (minimum $50.00) 1 $19.80 $19.80", text);
        Assert.Contains("$19.80", text);
        Assert.Contains("Total $75.00 USD", text);
        // Seller, due date (30 days after issue), status and page numbers.
        Assert.Contains("OrgConsole, Inc.", text);
        Assert.Contains("billing@orgconsole.example", text);
        Assert.Contains($"Due: {invoice.IssuedAt!.Value.AddDays(30):d MMMM yyyy}", text);
        Assert.Contains("Status:", text);
        Assert.Contains("Page 1 of 1", text);
        Assert.Contains("half away from zero", text);
    }

    [Fact(Timeout = 60_000)]
    public async Task Csv_HasOneRowPerLineAndTheTotal()
    {
        var (db, orgId, admin, _) = await OctoberUsageAsync(withCard: false);
        await using var _ = db;
        await db.Service<InvoiceService>(null).ClosePeriodsAsync();
        var invoice = (await db.Service<InvoiceService>(admin).ListAsync(orgId)).Value[1];

        var csv = (await db.Service<InvoiceService>(admin).RenderCsvAsync(orgId, invoice.Id!.Value)).Value.Content.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(1 + 5 + 1, csv.Length);
        Assert.Contains(csv, l => l.Contains("Search: Read units,1234567,0.000016,19.75"));
        Assert.EndsWith("Total,,,75.00", csv[^1]);
    }

    [Fact(Timeout = 60_000)]
    public async Task SpendAlert_IsEmailedOncePerPeriod_WhenTheMonthsSpendReachesTheThreshold()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _, admin, project) = await db.StandardOrgAsync();
        Assert.True((await db.Service<BillingService>(admin).UpdateSpendAlertAsync(orgId, 100m, "alerts@acme.example, cfo@acme.example")).IsSuccess);

        await db.IngestAsync(Record("n1", project, "2026-11-01", "read_units", 1_000_000m)); // $75.00 so far: below
        Assert.Equal(0, await db.Service<InvoiceService>(null).SendSpendAlertsAsync());
        await db.IngestAsync(Record("n2", project, "2026-11-01", "read_units", 5_000_000m)); // $25 + $96 = $121
        var first = await db.Service<InvoiceService>(null).SendSpendAlertsAsync();
        await db.IngestAsync(Record("n3", project, "2026-11-01", "read_units", 5_000_000m));
        var second = await db.Service<InvoiceService>(null).SendSpendAlertsAsync();

        Assert.Equal(1, first);
        Assert.Equal(0, second);
        Assert.Equal(["alerts@acme.example", "cfo@acme.example"], db.Mail.Sent.Select(m => m.To).Order());
        Assert.All(db.Mail.Sent, m => Assert.Contains("$121.00", m.Subject));
        Assert.Single(await db.AuditEventsAsync(orgId), e => e.Action == "billing.spend_alert_sent");

        db.Time.Advance(TimeSpan.FromDays(30)); // December: a new period, a new alert
        await db.IngestAsync(Record("d1", project, "2026-12-01", "read_units", 6_000_000m));
        Assert.Equal(1, await db.Service<InvoiceService>(null).SendSpendAlertsAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ReleasingADeclinedCharge_RenewsTheInvoicesVersion_SoAWriteFromAReadDuringTheCharge_IsRefusedAsStale()
    {
        var (db, orgId, admin, _) = await OctoberUsageAsync(withCard: false);
        await using var _ = db;
        await db.Service<InvoiceService>(null).ClosePeriodsAsync();
        var invoiceId = (await db.Service<InvoiceService>(admin).ListAsync(orgId)).Value[1].Id!.Value;
        Assert.True((await db.Service<BillingService>(admin).SetPaymentMethodAsync(orgId, Visa)).IsSuccess);

        // Another writer reads the invoice while the charge is at the gateway (claimed, no attempt counted yet) ...
        await using var other = await db.DbFactory.CreateDbContextAsync();
        Invoice? seen = null;
        var gateway = new DecliningGateway(async () => seen = await other.Invoices.SingleAsync(i => i.Id == invoiceId));
        await using (var scope = db.As(admin))
        {
            var declined = await ActivatorUtilities.CreateInstance<InvoiceService>(scope.ServiceProvider, (IPaymentGateway)gateway).PayAsync(orgId, invoiceId);
            Assert.Contains("declined", declined.Error?.Message);
        }
        Assert.NotNull(seen);
        Assert.NotNull(seen.PaymentStartedAt);

        // ... the decline released the claim in one bulk statement; the other writer now writes from what it read: refused as stale.
        seen.Status = InvoiceStatus.Paid;
        seen.PaymentReference = "ch_from_a_stale_read";
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => other.SaveChangesAsync());

        await using var check = await db.DbFactory.CreateDbContextAsync();
        var invoice = await check.Invoices.AsNoTracking().SingleAsync(i => i.Id == invoiceId);
        Assert.Equal(InvoiceStatus.Open, invoice.Status);
        Assert.Null(invoice.PaymentStartedAt);
        Assert.Equal(1, invoice.PaymentAttempts); // the declined attempt counts: the next charge gets a new idempotency key
        Assert.Null(invoice.PaymentReference);
    }

    /// <summary>A gateway whose card declines every charge, running <paramref name="duringCharge"/> while the charge is "at the bank".</summary>
    private sealed class DecliningGateway(Func<Task> duringCharge) : IPaymentGateway
    {
        private readonly TestPaymentGateway _cards = new(TimeProvider.System);

        public Task<OrgConsole.Common.Result<TokenizedCard>> TokenizeAsync(CardInput card, CancellationToken ct = default) => _cards.TokenizeAsync(card, ct);

        public async Task<OrgConsole.Common.Result<string>> ChargeAsync(string token, decimal amount, string description, string idempotencyKey, CancellationToken ct = default)
        {
            await duringCharge();
            return OrgConsole.Common.Error.Validation("Card", "The card was declined: insufficient funds.");
        }
    }
}
