using OrgConsole.Access;
using OrgConsole.Features.Plans;

namespace OrgConsole.Features.Billing;

/// <summary>
/// An organization's billing setup: contact, payment method, support plan, spend alert. One row per organization,
/// created on first change. The card is kept only as the gateway's token plus brand, last 4 and expiry.
/// </summary>
public sealed class BillingAccount
{
    public Guid OrganizationId { get; set; }

    public string? ContactName { get; set; }
    public string? ContactEmail { get; set; }
    public string? AddressLine1 { get; set; }
    public string? AddressLine2 { get; set; }
    public string? City { get; set; }
    public string? PostalCode { get; set; }
    public string? Country { get; set; }
    public string? TaxId { get; set; }

    /// <summary>Further addresses that receive invoices, comma-separated.</summary>
    public string? ExtraInvoiceRecipients { get; set; }

    public string? CardToken { get; set; }
    public string? CardBrand { get; set; }
    public string? CardLast4 { get; set; }
    public int? CardExpiryMonth { get; set; }
    public int? CardExpiryYear { get; set; }

    public SupportPlan SupportPlan { get; set; } = SupportPlan.Free;

    /// <summary>The monthly spend that triggers an alert email; null: no alert.</summary>
    public decimal? SpendAlertThreshold { get; set; }

    /// <summary>Who receives the alert, comma-separated.</summary>
    public string? SpendAlertRecipients { get; set; }

    public DateTime UpdatedAt { get; set; }

    public Guid Version { get; set; } = Guid.NewGuid();
}

/// <summary>One metered quantity of one project on one day, as sent by the metering pipeline.</summary>
public sealed class UsageRecord
{
    public Guid Id { get; set; }

    /// <summary>The pipeline's own id of the record: ingestion is idempotent on it.</summary>
    public required string RecordId { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid ProjectId { get; set; }

    public DateOnly Day { get; set; }

    public UsageMetric Metric { get; set; }

    public decimal Quantity { get; set; }

    public DateTime ReceivedAt { get; set; }
}

public enum InvoiceStatus
{
    /// <summary>The current period's preview: computed on demand, never stored.</summary>
    Draft,
    Open,
    Paid,
    Void,
}

/// <summary>The invoice of one organization for one monthly period. Never two for one period (unique index).</summary>
public sealed class Invoice
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>INV-yyyyMM-XXXXXXXX: the period and the organization, so it is the same however often a period is closed.</summary>
    public required string Number { get; set; }

    /// <summary>First instant of the month (UTC).</summary>
    public DateTime PeriodStart { get; set; }

    /// <summary>First instant of the next month (UTC), exclusive.</summary>
    public DateTime PeriodEnd { get; set; }

    public Plan Plan { get; set; }

    public SupportPlan SupportPlan { get; set; }

    public InvoiceStatus Status { get; set; }

    public decimal Total { get; set; }

    public string Currency { get; set; } = "USD";

    public DateTime IssuedAt { get; set; }

    public DateTime? PaidAt { get; set; }

    /// <summary>The gateway's reference of the payment.</summary>
    public string? PaymentReference { get; set; }

    /// <summary>Charges the gateway declined; the next charge's idempotency key is the invoice id and this count plus one.</summary>
    public int PaymentAttempts { get; set; }

    /// <summary>When a payer took the invoice to charge it (only one at a time); cleared when the charge settles.</summary>
    public DateTime? PaymentStartedAt { get; set; }

    public List<InvoiceLine> Lines { get; set; } = [];

    public Guid Version { get; set; } = Guid.NewGuid();
}

public sealed class InvoiceLine
{
    public int Position { get; set; }
    public required string Description { get; set; }
    public decimal Quantity { get; set; }
    public decimal UnitPrice { get; set; }
    public decimal Amount { get; set; }
}

/// <summary>Records that a period's spend alert went out, so it goes out once (unique per organization and period).</summary>
public sealed class SpendAlertSent
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public DateTime PeriodStart { get; set; }
    public decimal Threshold { get; set; }
    public decimal SpendAtSend { get; set; }
    public DateTime SentAt { get; set; }
}
