using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using UglyToad.PdfPig;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>The demo billing admin keeps billing current: contact, card, usage, and last month's invoice as PDF.</summary>
public sealed class BillingTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{

    [Fact(Timeout = 240_000)]
    public async Task BillingAdmin_UpdatesContact_AddsACard_OpensUsage_DownloadsLastMonthsInvoicePdf()
    {
        await using var app = AppFactory.OnKestrel();
        var page = await OpenPageAsync(app.BaseAddress, "page");
        await RunAsync(async () =>
        {
            await SignInAsync(page, "billing@acme.example");
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}$"));

            // Billing contact.
            await page.GetByRole(AriaRole.Link, new() { Name = "Billing", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/billing$"));
            await WaitUntilInteractiveAsync(page);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Billing", Exact = true })).ToBeVisibleAsync();
            await MudInput(page, "contact-email").FillAsync("not-an-email");
            await page.GetByTestId("contact-save").ClickAsync();
            await Expect(page.GetByText("Enter an email address like name@example.com.")).ToBeVisibleAsync();
            await MudInput(page, "contact-name").FillAsync("Bea Billing-Smith");
            await MudInput(page, "contact-email").FillAsync("accounts@acme.example");
            await MudInput(page, "contact-taxid").FillAsync("US-12-3456789");
            await page.GetByTestId("contact-save").ClickAsync();
            await Expect(page.GetByText("Billing contact saved.")).ToBeVisibleAsync();

            // A declined card, then a test card.
            await page.GetByTestId("add-card").ClickAsync();
            await MudInput(page, "card-number").FillAsync("4000 0000 0000 0002");
            await MudInput(page, "card-cvc").FillAsync("123");
            await page.GetByTestId("card-save").ClickAsync();
            await Expect(page.GetByText("The card was declined.")).ToBeVisibleAsync();
            await MudInput(page, "card-number").FillAsync("4242 4242 4242 4242");
            await MudInput(page, "card-cvc").FillAsync("123");
            await page.GetByTestId("card-save").ClickAsync();
            await Expect(page.GetByTestId("card-on-file")).ToContainTextAsync("Visa ending in 4242");
            await page.ScreenshotAsync(new() { Path = "/tmp/billing.png", FullPage = true });
            await AssertAccessibleAsync(page, "billing pages", Output);

            // Usage.
            await page.GetByRole(AriaRole.Link, new() { Name = "Usage", Exact = true }).First.ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/billing/usage$"));
            await WaitUntilInteractiveAsync(page);
            await Expect(page.GetByTestId("usage-chart")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("usage-table")).ToContainTextAsync("Search");
            await Expect(page.GetByTestId("usage-table")).ToContainTextAsync("Read units");
            await page.ScreenshotAsync(new() { Path = "/tmp/usage.png", FullPage = true });
            await AssertAccessibleAsync(page, "billing pages", Output);

            // Last month's invoice, as PDF.
            await page.GetByRole(AriaRole.Link, new() { Name = "Invoices", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/billing/invoices$"));
            await WaitUntilInteractiveAsync(page);
            var lastMonth = DateTime.UtcNow.AddMonths(-1).ToString("yyyy-MM");
            var row = page.Locator($"[data-testid='invoice-row'][data-period='{lastMonth}']");
            await Expect(row).ToBeVisibleAsync();
            var number = (await row.Locator("code").TextContentAsync())!.Trim();
            await page.ScreenshotAsync(new() { Path = "/tmp/invoices.png", FullPage = true });
            await AssertAccessibleAsync(page, "billing pages", Output);
            var download = await page.RunAndWaitForDownloadAsync(() => row.GetByTestId("invoice-pdf").ClickAsync());

            Assert.Equal($"{number}.pdf", download.SuggestedFilename);
            var path = Path.Combine(Path.GetTempPath(), $"invoice-{Guid.NewGuid():N}.pdf");
            await download.SaveAsAsync(path);
            using (var pdf = PdfDocument.Open(path))
            {
                var text = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
                Assert.Contains(number, text);
                Assert.Contains("Standard plan, monthly fee", text);
                Assert.Contains("Search: Read units", text);
                Assert.Matches(@"Total \$[0-9,]+\.[0-9]{2} USD", text);
            }
            File.Delete(path);

            // The invoice page shows the same total.
            await row.GetByRole(AriaRole.Link).First.ClickAsync();
            await WaitUntilInteractiveAsync(page);
            await Expect(page.GetByTestId("invoice-number")).ToHaveTextAsync(number);
            await page.ScreenshotAsync(new() { Path = "/tmp/invoice.png", FullPage = true });
        });
    }
}
