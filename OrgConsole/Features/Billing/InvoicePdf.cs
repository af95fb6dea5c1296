using System.Globalization;
using System.Text;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace OrgConsole.Features.Billing;

/// <summary>
/// Renders an invoice as PDF with the standard-14 Helvetica fonts, which every PDF reader has built in: no font files,
/// no network, the same numbers on any machine.
/// </summary>
/// <summary>Who issues the invoices (<c>Billing:Seller:*</c>) and when they fall due.</summary>
public sealed class SellerOptions
{
    public string Name { get; set; } = "OrgConsole, Inc.";
    public string Address { get; set; } = "";
    public string Email { get; set; } = "billing@orgconsole.example";
    public string TaxId { get; set; } = "";
    /// <summary>Days from issue to due date (an invoice is past due 30 days after issue: SPEC's payment status).</summary>
    public int PaymentTermDays { get; set; } = 30;
}

public static class InvoicePdf
{
    private const double Left = 50, Right = 545, Top = 790, Bottom = 60;

    public static byte[] Render(InvoiceView invoice, SellerOptions? seller = null)
    {
        seller ??= new SellerOptions();
        var pages = new List<PdfPageBuilder>();
        using var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = $"Invoice {invoice.Summary.Number}";
        builder.DocumentInformation.Producer = "OrgConsole";
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        pages.Add(page);
        var y = Top;

        void Text(string text, double x, double size, PdfDocumentBuilder.AddedFont font) =>
            page.AddText(Safe(text), size, new PdfPoint(x, y), font);
        void RightAligned(string text, double right, double size, PdfDocumentBuilder.AddedFont font)
        {
            var safe = Safe(text);
            var letters = page.MeasureText(safe, size, new PdfPoint(0, 0), font);
            var width = letters.Count == 0 ? 0 : letters[^1].EndBaseLine.X - letters[0].StartBaseLine.X;
            page.AddText(safe, size, new PdfPoint(right - width, y), font);
        }
        void NewLine(double height)
        {
            y -= height;
            if (y < Bottom)
            {
                page = builder.AddPage(PageSize.A4);
                pages.Add(page);
                y = Top;
            }
        }

        var s = invoice.Summary;
        Text("OrgConsole", Left, 20, bold);
        RightAligned("INVOICE", Right, 20, bold);
        NewLine(16);
        foreach (var sellerLine in new[] { seller.Name, seller.Address, seller.Email, seller.TaxId.Length == 0 ? "" : $"Tax id: {seller.TaxId}" })
        {
            if (string.IsNullOrWhiteSpace(sellerLine)) continue;
            Text(sellerLine, Left, 9, regular);
            NewLine(12);
        }
        NewLine(10);
        Text($"Invoice number: {s.Number}", Left, 11, regular);
        RightAligned($"Status: {s.Status}", Right, 11, bold);
        NewLine(15);
        Text($"Period: {s.PeriodStart:d MMMM yyyy} to {s.PeriodEnd.AddDays(-1):d MMMM yyyy} (UTC)", Left, 11, regular);
        NewLine(15);
        if (s.IssuedAt is { } issued)
        {
            Text($"Issued: {issued:d MMMM yyyy}. Due: {issued.AddDays(seller.PaymentTermDays):d MMMM yyyy}.", Left, 11, regular);
            NewLine(15);
        }
        if (s.PaidAt is { } paid) { Text($"Paid: {paid:d MMMM yyyy}" + (invoice.PaymentReference is null ? "" : $" (reference {invoice.PaymentReference})"), Left, 11, regular); NewLine(15); }
        Text($"Plan: {invoice.Plan}. Support plan: {invoice.SupportPlan}.", Left, 11, regular);
        NewLine(26);

        Text("Bill to", Left, 12, bold);
        NewLine(16);
        var b = invoice.BillTo;
        foreach (var line in new[] { invoice.OrganizationName, b.ContactName, b.ContactEmail, b.AddressLine1, b.AddressLine2,
                     string.Join(" ", new[] { b.PostalCode, b.City }.Where(v => !string.IsNullOrEmpty(v))), b.Country,
                     b.TaxId is null ? null : $"Tax id: {b.TaxId}" }.Where(v => !string.IsNullOrWhiteSpace(v)))
        {
            Text(line!, Left, 10, regular);
            NewLine(13);
        }
        NewLine(14);

        Text("Description", Left, 10, bold);
        RightAligned("Quantity", 360, 10, bold);
        RightAligned("Unit price", 460, 10, bold);
        RightAligned("Amount (USD)", Right, 10, bold);
        NewLine(6);
        page.DrawLine(new PdfPoint(Left, y), new PdfPoint(Right, y), 0.5);
        NewLine(14);
        foreach (var line in invoice.Lines)
        {
            Text(Fit(line.Description, 48), Left, 10, regular);
            RightAligned(Quantity(line.Quantity), 360, 10, regular);
            RightAligned(UnitPrice(line.UnitPrice), 460, 10, regular);
            RightAligned(Money.Format(line.Amount), Right, 10, regular);
            NewLine(15);
        }
        page.DrawLine(new PdfPoint(Left, y + 8), new PdfPoint(Right, y + 8), 0.5);
        NewLine(6);
        Text("Total", Left, 12, bold);
        RightAligned($"{Money.Format(s.Total)} {invoice.Currency}", Right, 12, bold);
        NewLine(30);
        Text("Rounding: " + Money.RoundingRule.Replace("×", "x"), Left, 8, regular);
        NewLine(11);
        Text("Amounts are exact decimal arithmetic in US dollars; prices per unit as listed for the plan.", Left, 8, regular);
        for (var i = 0; i < pages.Count; i++)
        {
            page = pages[i];
            y = Bottom - 25;
            RightAligned($"Page {i + 1} of {pages.Count}", Right, 8, regular);
        }
        return builder.Build();
    }

    /// <summary>A decimal without the trailing zeros its stored scale may carry (1234567.0 is 1234567).</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    public static string Quantity(decimal quantity) => quantity.ToString("#,##0.######", CultureInfo.InvariantCulture);

    public static string UnitPrice(decimal price) => "$" + price.ToString("#,##0.00########", CultureInfo.InvariantCulture);

    private static string Fit(string text, int max) => text.Length <= max ? text : text[..(max - 3)] + "...";

    /// <summary>The standard-14 fonts encode Latin-1-like text only; anything else is replaced so rendering never fails.</summary>
    private static string Safe(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Replace('×', 'x').Replace('–', '-').Replace('—', '-').Replace('’', '\''))
        {
            sb.Append(c is >= ' ' and <= '~' ? c : c is >= '\u00A0' and <= '\u00FF' ? c : '?');
        }
        return sb.ToString();
    }
}
