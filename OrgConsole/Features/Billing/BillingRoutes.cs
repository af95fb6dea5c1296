using OrgConsole.Components.Layout;

namespace OrgConsole.Features.Billing;

/// <summary>Where the billing pages and invoice downloads live, under <c>/orgs/{OrgId}/billing</c>.</summary>
public static class BillingRoutes
{
    public const string BillingPage = OrgRoutes.Prefix + "/billing";
    public const string UsagePage = BillingPage + "/usage";
    public const string InvoicesPage = BillingPage + "/invoices";
    public const string InvoicePage = InvoicesPage + "/{InvoiceId:guid}";
    public const string DraftInvoicePage = InvoicesPage + "/draft";
    public const string InvoicePdfFile = InvoicePage + ".pdf";
    public const string InvoiceCsvFile = InvoicePage + ".csv";

    public static string Billing(Guid orgId) => OrgRoutes.Link(BillingPage, orgId);
    public static string Usage(Guid orgId) => OrgRoutes.Link(UsagePage, orgId);
    public static string Invoices(Guid orgId) => OrgRoutes.Link(InvoicesPage, orgId);
    public static string InvoicePdf(Guid orgId, Guid invoiceId) => OrgRoutes.Link(InvoicePdfFile, orgId, invoiceId);
    public static string InvoiceCsv(Guid orgId, Guid invoiceId) => OrgRoutes.Link(InvoiceCsvFile, orgId, invoiceId);
    public static string Invoice(Guid orgId, Guid? invoiceId) =>
        invoiceId is { } id ? OrgRoutes.Link(InvoicePage, orgId, id) : OrgRoutes.Link(DraftInvoicePage, orgId);
}
