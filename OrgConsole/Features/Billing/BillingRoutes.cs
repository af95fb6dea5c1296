namespace OrgConsole.Features.Billing;

/// <summary>Where the billing pages live, under <c>/orgs/{OrgId}/billing</c>.</summary>
public static class BillingRoutes
{
    public static string Billing(Guid orgId) => $"/orgs/{orgId}/billing";
    public static string Usage(Guid orgId) => $"/orgs/{orgId}/billing/usage";
    public static string Invoices(Guid orgId) => $"/orgs/{orgId}/billing/invoices";
    public static string InvoicePdf(Guid orgId, Guid invoiceId) => $"/orgs/{orgId}/billing/invoices/{invoiceId}.pdf";
    public static string InvoiceCsv(Guid orgId, Guid invoiceId) => $"/orgs/{orgId}/billing/invoices/{invoiceId}.csv";
    public static string Invoice(Guid orgId, Guid? invoiceId) => invoiceId is { } id ? $"/orgs/{orgId}/billing/invoices/{id}" : $"/orgs/{orgId}/billing/invoices/draft";
}
