using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Email;
using OrgConsole.Features.Plans;

namespace OrgConsole.Features.Billing;

public sealed record InvoiceSummary(Guid? Id, string Number, DateTime PeriodStart, DateTime PeriodEnd, InvoiceStatus Status, decimal Total, DateTime? IssuedAt, DateTime? PaidAt)
{
    public string PeriodName => PeriodStart.ToString("MMMM yyyy", CultureInfo.InvariantCulture);
}

public sealed record InvoiceView(
    InvoiceSummary Summary, string OrganizationName, Plan Plan, SupportPlan SupportPlan, IReadOnlyList<InvoiceLineDraft> Lines,
    BillingDetails BillTo, string Currency, string? PaymentReference);

/// <summary>
/// Invoices (SPEC §5): one per organization per calendar month (UTC). The current month is a draft computed on demand;
/// <see cref="ClosePeriodsAsync"/> issues the invoices of ended months, at most one per period, and is safe to run any number of times.
/// </summary>
public sealed class InvoiceService(
    IDbContextFactory<ApplicationDbContext> dbFactory, Authorizer authorizer, AuditLog audit, TimeProvider time,
    IPaymentGateway gateway, IEmailTransport email, ILogger<InvoiceService> logger, IOptions<SellerOptions> seller)
{
    public static readonly Actor BillingSystem = new(ActorType.System, "billing", "Billing");

    public static DateTime MonthOf(DateTime instant) => new(instant.Year, instant.Month, 1, 0, 0, 0, DateTimeKind.Utc);

    public static string NumberOf(Guid organizationId, DateTime periodStart) =>
        $"INV-{periodStart:yyyyMM}-{organizationId.ToString("N")[..8].ToUpperInvariant()}";

    /// <summary>"Payment history and invoices": the current month's draft first, then the issued invoices, newest first.</summary>
    public async Task<Result<IReadOnlyList<InvoiceSummary>>> ListAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var issued = await db.Invoices.AsNoTracking().Where(i => i.OrganizationId == organizationId).OrderByDescending(i => i.PeriodStart)
            .Select(i => new InvoiceSummary(i.Id, i.Number, i.PeriodStart, i.PeriodEnd, i.Status, i.Total, i.IssuedAt, i.PaidAt)).ToListAsync(ct);
        var draft = await DraftAsync(db, organizationId, MonthOf(time.UtcNow()), ct);
        return new[] { draft.Summary }.Concat(issued).ToList();
    }

    /// <summary>The current month so far, as it would be invoiced if it ended now.</summary>
    public async Task<Result<InvoiceView>> GetDraftAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await DraftAsync(db, organizationId, MonthOf(time.UtcNow()), ct);
    }

    public async Task<Result<InvoiceView>> GetAsync(Guid organizationId, Guid invoiceId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).FirstOrDefaultAsync(i => i.Id == invoiceId && i.OrganizationId == organizationId, ct);
        if (invoice is null) return Error.NotFound("The invoice");
        var account = await db.BillingAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.OrganizationId == organizationId, ct) ?? new BillingAccount();
        return new InvoiceView(
            new InvoiceSummary(invoice.Id, invoice.Number, invoice.PeriodStart, invoice.PeriodEnd, invoice.Status, invoice.Total, invoice.IssuedAt, invoice.PaidAt),
            access.Value.OrganizationName, invoice.Plan, invoice.SupportPlan,
            invoice.Lines.OrderBy(l => l.Position).Select(l => new InvoiceLineDraft(l.Description, l.Quantity, l.UnitPrice, l.Amount)).ToList(),
            BillToOf(account), invoice.Currency, invoice.PaymentReference);
    }

    public async Task<Result<(string FileName, byte[] Content)>> RenderPdfAsync(Guid organizationId, Guid invoiceId, CancellationToken ct = default)
    {
        var invoice = await GetAsync(organizationId, invoiceId, ct);
        if (!invoice.IsSuccess) return invoice.Error;
        return ($"{invoice.Value.Summary.Number}.pdf", InvoicePdf.Render(invoice.Value, seller.Value));
    }

    public async Task<Result<(string FileName, string Content)>> RenderCsvAsync(Guid organizationId, Guid invoiceId, CancellationToken ct = default)
    {
        var invoice = await GetAsync(organizationId, invoiceId, ct);
        if (!invoice.IsSuccess) return invoice.Error;
        var v = invoice.Value;
        var csv = new StringBuilder("invoice,period_start,period_end,status,description,quantity,unit_price_usd,amount_usd\n");
        foreach (var line in v.Lines)
        {
            csv.Append(v.Summary.Number).Append(',').Append(v.Summary.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',')
                .Append(v.Summary.PeriodEnd.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',').Append(v.Summary.Status).Append(',')
                .Append(Csv.Field(line.Description)).Append(',').Append(InvoicePdf.Normalize(line.Quantity).ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(InvoicePdf.Normalize(line.UnitPrice).ToString(CultureInfo.InvariantCulture)).Append(',').Append(line.Amount.ToString("0.00", CultureInfo.InvariantCulture)).Append('\n');
        }
        csv.Append(v.Summary.Number).Append(",,,").Append(v.Summary.Status).Append(",Total,,,").Append(v.Summary.Total.ToString("0.00", CultureInfo.InvariantCulture)).Append('\n');
        return ($"{v.Summary.Number}.csv", csv.ToString());
    }

    /// <summary>Charges an open invoice to the card on file.</summary>
    public async Task<Result> PayAsync(Guid organizationId, Guid invoiceId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var invoice = await db.Invoices.AsNoTracking().FirstOrDefaultAsync(i => i.Id == invoiceId && i.OrganizationId == organizationId, ct);
            if (invoice is null) return Error.NotFound("The invoice");
            if (invoice.Status != InvoiceStatus.Open) return NotOpen(invoice);
        }
        return await ChargeAsync(organizationId, invoiceId, access.Value.Actor, ct);
    }

    /// <summary>Issues the invoice of every ended month not invoiced yet, for every organization. Returns how many it issued.</summary>
    public async Task<int> ClosePeriodsAsync(CancellationToken ct = default)
    {
        var currentMonth = MonthOf(time.UtcNow());
        List<(Guid Id, DateTime CreatedAt)> orgs;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            orgs = (await db.Organizations.AsNoTracking().Where(o => o.DeletedAt == null).Select(o => new { o.Id, o.CreatedAt }).ToListAsync(ct))
                .Select(o => (o.Id, o.CreatedAt)).ToList();
        }
        var issued = 0;
        foreach (var (orgId, createdAt) in orgs)
        {
            DateOnly? firstUsage;
            HashSet<DateTime> closed;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                firstUsage = await db.UsageRecords.Where(u => u.OrganizationId == orgId).OrderBy(u => u.Day).Select(u => (DateOnly?)u.Day).FirstOrDefaultAsync(ct);
                closed = (await db.Invoices.Where(i => i.OrganizationId == orgId).Select(i => i.PeriodStart).ToListAsync(ct)).ToHashSet();
            }
            var start = MonthOf(createdAt);
            if (firstUsage is { } day && day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) < start) start = MonthOf(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
            for (var period = start; period < currentMonth; period = period.AddMonths(1))
            {
                if (closed.Contains(period)) continue;
                if (await ClosePeriodAsync(orgId, period, ct)) issued++;
            }
        }
        return issued;
    }

    /// <summary>Issues one period's invoice unless it exists. Returns whether this call issued it.</summary>
    public async Task<bool> ClosePeriodAsync(Guid organizationId, DateTime periodStart, CancellationToken ct = default)
    {
        if (periodStart != MonthOf(periodStart)) throw new ArgumentException("A period starts on the first of a month (UTC).", nameof(periodStart));
        if (periodStart >= MonthOf(time.UtcNow())) throw new ArgumentException("Only a period that has ended can be closed.", nameof(periodStart));
        Result<Invoice> result;
        try
        {
            result = await dbFactory.WriteAsync<Invoice>(async db =>
            {
                if (await db.Invoices.AnyAsync(i => i.OrganizationId == organizationId && i.PeriodStart == periodStart, ct))
                {
                    return Error.Conflict("Already invoiced.");
                }
                var org = await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == organizationId, ct);
                var supportPlan = await db.BillingAccounts.Where(a => a.OrganizationId == organizationId).Select(a => (SupportPlan?)a.SupportPlan).FirstOrDefaultAsync(ct) ?? SupportPlan.Free;
                var draft = InvoiceMath.Compute(org.Plan, supportPlan, await UsageTotalsAsync(db, organizationId, periodStart, ct));
                var invoice = new Invoice
                {
                    Id = Guid.NewGuid(), OrganizationId = organizationId, Number = NumberOf(organizationId, periodStart),
                    PeriodStart = periodStart, PeriodEnd = periodStart.AddMonths(1), Plan = org.Plan, SupportPlan = supportPlan,
                    Status = draft.Total == 0 ? InvoiceStatus.Paid : InvoiceStatus.Open, Total = draft.Total, IssuedAt = time.UtcNow(),
                    PaidAt = draft.Total == 0 ? time.UtcNow() : null,
                    Lines = draft.Lines.Select((l, i) => new InvoiceLine { Position = i + 1, Description = l.Description, Quantity = l.Quantity, UnitPrice = l.UnitPrice, Amount = l.Amount }).ToList(),
                };
                db.Invoices.Add(invoice);
                await audit.AppendAsync(db, BillingSystem, organizationId, new AuditEntry("invoice.issued", "invoice", invoice.Id.ToString(),
                    After: new { invoice.Number, Period = periodStart.ToString("yyyy-MM", CultureInfo.InvariantCulture), invoice.Total, Status = invoice.Status.ToString() }), ct);
                return invoice;
            }, ct);
        }
        catch (DbUpdateException)
        {
            // Another run closed the same period at the same moment: the unique index kept it to one invoice.
            if (await IsInvoicedAsync(organizationId, periodStart, ct)) return false;
            throw;
        }
        if (!result.IsSuccess) return false;

        if (result.Value.Status == InvoiceStatus.Open)
        {
            var charged = await ChargeAsync(organizationId, result.Value.Id, BillingSystem, ct);
            if (!charged.IsSuccess) logger.LogInformation("Invoice {Number} stays open: {Reason}", result.Value.Number, charged.Error.Message);
        }
        return true;
    }

    private async Task<bool> IsInvoicedAsync(Guid organizationId, DateTime periodStart, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Invoices.AnyAsync(i => i.OrganizationId == organizationId && i.PeriodStart == periodStart, ct);
    }

    /// <summary>How long a payer holds an invoice it took to charge before another may take it (a crashed payer's claim expires).</summary>
    public static readonly TimeSpan PaymentClaimTimeout = TimeSpan.FromMinutes(2);

    private sealed record PaymentClaim(string Token, decimal Total, string Number, string IdempotencyKey);

    /// <summary>
    /// Charges an open invoice once, however many payers ask at the same moment: the invoice is taken in a write transaction
    /// before the gateway is called, and the gateway gets an idempotency key (invoice id + attempt) so a retry after a crash
    /// or timeout finds the first charge instead of making a second.
    /// </summary>
    private async Task<Result> ChargeAsync(Guid organizationId, Guid invoiceId, Actor actor, CancellationToken ct)
    {
        var takenByAnother = false;
        var claim = await dbFactory.WriteAsync<PaymentClaim>(async db =>
        {
            var row = await db.Invoices.FirstOrDefaultAsync(i => i.Id == invoiceId && i.OrganizationId == organizationId, ct);
            if (row is null) return Error.NotFound("The invoice");
            if (row.Status != InvoiceStatus.Open) return NotOpen(row);
            var now = time.UtcNow();
            if (row.PaymentStartedAt is { } started && now - started < PaymentClaimTimeout)
            {
                takenByAnother = true;
                return Error.Conflict($"Invoice {row.Number} is being paid in another window.");
            }
            var token = await db.BillingAccounts.Where(a => a.OrganizationId == organizationId).Select(a => a.CardToken).FirstOrDefaultAsync(ct);
            if (token is null) return Error.Validation("PaymentMethod", "There is no payment method on file. Add a card first.");
            row.PaymentStartedAt = now;
            return new PaymentClaim(token, row.Total, row.Number, $"invoice-{row.Id:N}-attempt-{row.PaymentAttempts + 1}");
        }, ct);
        if (!claim.IsSuccess) return takenByAnother ? await OutcomeOfOtherPayerAsync(organizationId, invoiceId, claim.Error, ct) : claim.Error;

        Result<string> payment;
        try
        {
            payment = await gateway.ChargeAsync(claim.Value.Token, claim.Value.Total, $"OrgConsole invoice {claim.Value.Number}", claim.Value.IdempotencyKey, ct);
        }
        catch
        {
            // The outcome is unknown: release the invoice but keep the attempt, so the next payer's key finds this charge if it was made.
            await ReleaseClaimAsync(invoiceId, declined: false);
            throw;
        }
        if (!payment.IsSuccess)
        {
            await ReleaseClaimAsync(invoiceId, declined: true);
            return payment.Error;
        }

        return await dbFactory.WriteAsync(async db =>
        {
            var row = await db.Invoices.FirstAsync(i => i.Id == invoiceId, ct);
            if (row.Status != InvoiceStatus.Open) return NotOpen(row);
            row.Status = InvoiceStatus.Paid;
            row.PaidAt = time.UtcNow();
            row.PaymentReference = payment.Value;
            row.PaymentStartedAt = null;
            await audit.AppendAsync(db, actor, organizationId, new AuditEntry("invoice.paid", "invoice", row.Id.ToString(),
                Before: new { Status = "Open" }, After: new { Status = "Paid", row.Number, row.Total, Reference = payment.Value }), ct);
            return Result.Ok();
        }, ct);
    }

    private static Error NotOpen(Invoice row) => row.Status == InvoiceStatus.Paid
        ? Error.Conflict($"Invoice {row.Number} is already paid.")
        : Error.Conflict($"Invoice {row.Number} is {row.Status.ToString().ToLowerInvariant()}, not open.");

    /// <summary>Another payer holds the invoice: wait briefly for its charge to settle, then say how it ended.</summary>
    private async Task<Result> OutcomeOfOtherPayerAsync(Guid organizationId, Guid invoiceId, Error inProgress, CancellationToken ct)
    {
        for (var i = 0; i < 50; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var row = await db.Invoices.AsNoTracking().FirstAsync(r => r.Id == invoiceId && r.OrganizationId == organizationId, ct);
            if (row.Status != InvoiceStatus.Open) return NotOpen(row);
            if (row.PaymentStartedAt is null) break; // the other charge was declined; this payer may try again
        }
        return Error.Conflict(inProgress.Message + " Reload the page in a moment to see whether it was paid.");
    }

    private async Task ReleaseClaimAsync(Guid invoiceId, bool declined)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await db.Invoices.Where(i => i.Id == invoiceId && i.Status == InvoiceStatus.Open).ExecuteUpdateRenewingVersionAsync(s => s
            .SetProperty(i => i.PaymentStartedAt, (DateTime?)null)
            .SetProperty(i => i.PaymentAttempts, i => i.PaymentAttempts + (declined ? 1 : 0)));
    }

    /// <summary>
    /// Sends each organization's spend alert once per period when the current month's spend reaches its threshold.
    /// The period is recorded (unique per organization and period) before the emails go out, so a second run never repeats them.
    /// </summary>
    public async Task<int> SendSpendAlertsAsync(IReadOnlyCollection<Guid>? organizations = null, CancellationToken ct = default)
    {
        var period = MonthOf(time.UtcNow());
        List<Guid> candidates;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var query = db.BillingAccounts.AsNoTracking().Where(a => a.SpendAlertThreshold != null && a.SpendAlertRecipients != null)
                .Where(a => !db.SpendAlertsSent.Any(s => s.OrganizationId == a.OrganizationId && s.PeriodStart == period))
                .Where(a => db.Organizations.Any(o => o.Id == a.OrganizationId && o.DeletedAt == null));
            if (organizations is not null) query = query.Where(a => organizations.Contains(a.OrganizationId));
            candidates = await query.Select(a => a.OrganizationId).ToListAsync(ct);
        }
        var sent = 0;
        foreach (var orgId in candidates)
        {
            (string Org, decimal Spend, decimal Threshold, IReadOnlyList<string> To)? alert = null;
            try
            {
                var recorded = await dbFactory.WriteAsync(async db =>
                {
                    if (await db.SpendAlertsSent.AnyAsync(s => s.OrganizationId == orgId && s.PeriodStart == period, ct)) return Error.Conflict("Already sent.");
                    var account = await db.BillingAccounts.AsNoTracking().FirstAsync(a => a.OrganizationId == orgId, ct);
                    if (account.SpendAlertThreshold is not { } threshold) return Error.Conflict("No alert.");
                    var draft = await DraftAsync(db, orgId, period, ct);
                    if (draft.Summary.Total < threshold) return Error.Conflict("Below the threshold.");
                    db.SpendAlertsSent.Add(new SpendAlertSent { Id = Guid.NewGuid(), OrganizationId = orgId, PeriodStart = period, Threshold = threshold, SpendAtSend = draft.Summary.Total, SentAt = time.UtcNow() });
                    var to = BillingService.SplitRecipients(account.SpendAlertRecipients);
                    await audit.AppendAsync(db, BillingSystem, orgId, new AuditEntry("billing.spend_alert_sent", "billing", orgId.ToString(),
                        After: new { Period = period.ToString("yyyy-MM", CultureInfo.InvariantCulture), Threshold = threshold, Spend = draft.Summary.Total, Recipients = to }), ct);
                    alert = (draft.OrganizationName, draft.Summary.Total, threshold, to);
                    return Result.Ok();
                }, ct);
                if (!recorded.IsSuccess) continue;
            }
            catch (DbUpdateException)
            {
                continue; // another run recorded this period's alert first
            }
            var (orgName, spend, limit, recipients) = alert!.Value;
            var subject = $"Spend alert: {orgName} has reached {Money.Format(spend)} this month";
            var body = IdentityEmailSender.Layout("Spend alert",
                $"<p>{HtmlEncoder.Default.Encode(orgName)} has spent <strong>{Money.Format(spend)}</strong> in {period:MMMM yyyy} so far, reaching the alert threshold of {Money.Format(limit)}.</p>" +
                "<p>This is the only alert for this month. Usage and the invoice preview are on the organization's billing pages.</p>");
            foreach (var to in recipients)
            {
                try { await email.SendAsync(to, subject, body, ct); }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "The spend alert email for organization {OrganizationId} could not be sent", orgId);
                }
            }
            sent++;
        }
        return sent;
    }

    private async Task<InvoiceView> DraftAsync(ApplicationDbContext db, Guid organizationId, DateTime periodStart, CancellationToken ct)
    {
        var org = await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == organizationId, ct);
        var account = await db.BillingAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.OrganizationId == organizationId, ct) ?? new BillingAccount();
        var draft = InvoiceMath.Compute(org.Plan, account.SupportPlan, await UsageTotalsAsync(db, organizationId, periodStart, ct));
        var summary = new InvoiceSummary(null, NumberOf(organizationId, periodStart) + "-DRAFT", periodStart, periodStart.AddMonths(1), InvoiceStatus.Draft, draft.Total, null, null);
        return new InvoiceView(summary, org.Name, org.Plan, account.SupportPlan, draft.Lines, BillToOf(account), "USD", null);
    }

    private static async Task<IReadOnlyList<UsageTotal>> UsageTotalsAsync(ApplicationDbContext db, Guid organizationId, DateTime periodStart, CancellationToken ct)
    {
        var from = DateOnly.FromDateTime(periodStart);
        var to = DateOnly.FromDateTime(periodStart.AddMonths(1));
        var totals = await db.UsageRecords.AsNoTracking().Where(u => u.OrganizationId == organizationId && u.Day >= from && u.Day < to)
            .GroupBy(u => new { u.ProjectId, u.Metric })
            .Select(g => new { g.Key.ProjectId, g.Key.Metric, Quantity = g.Sum(u => u.Quantity) }).ToListAsync(ct);
        var names = await UsageService.ProjectNamesAsync(db, organizationId, totals.Select(t => t.ProjectId), ct);
        return totals.Select(t => new UsageTotal(t.ProjectId, names[t.ProjectId], t.Metric, t.Quantity)).ToList();
    }

    private static BillingDetails BillToOf(BillingAccount a) =>
        new(a.ContactName, a.ContactEmail, a.AddressLine1, a.AddressLine2, a.City, a.PostalCode, a.Country, a.TaxId, a.ExtraInvoiceRecipients);
}
