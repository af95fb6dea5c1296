using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OrgConsole.Access;
using OrgConsole.Components.Layout;
using OrgConsole.Components.Shared;
using OrgConsole.Features.Billing;
using OrgConsole.Features.Billing.Pages;
using OrgConsole.Tests.TestSupport;
using static OrgConsole.Tests.Features.Billing.BillingTestData;

namespace OrgConsole.Tests.Features.Billing;

/// <summary>The billing pages for a Billing admin, and the navigation for an Org user, against the real services on SQLite.</summary>
public sealed class BillingPagesTests : MudComponentTest
{
    private async Task<(TestDb Db, Guid OrgId, OrgContext Org)> SetUpAsync(Role role)
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner, admin, project) = await db.StandardOrgAsync();
        await db.IngestAsync(Record("u1", project, "2026-10-20", "read_units", 2_000_000m), Record("u2", project, "2026-10-21", "write_units", 100_000m));
        await db.Service<InvoiceService>(null).ClosePeriodsAsync();
        var userId = role switch
        {
            Role.OrgOwner => owner,
            Role.OrgBillingAdmin => admin,
            _ => await db.AddMemberAsync(orgId, role),
        };
        Context.Services.AddSingleton<TimeProvider>(db.Time);
        var org = await SignInAsync(db, orgId, userId, [typeof(BillingService), typeof(UsageService), typeof(InvoiceService)]);
        return (db, orgId, org);
    }

    [Fact(Timeout = 60_000)]
    public async Task BillingPage_RendersForABillingAdmin_WithEveryActionEnabled()
    {
        var (db, orgId, org) = await SetUpAsync(Role.OrgBillingAdmin);
        await using var _ = db;

        var page = Context.Render<BillingPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));
        page.WaitForAssertion(() => Assert.Contains("Visa ending in 4242", page.Find("[data-testid=card-on-file]").TextContent), TimeSpan.FromSeconds(10));

        Assert.Contains("Current plan", page.Find("[data-testid=plan-Standard]").TextContent);
        Assert.False(page.Find("[data-testid=contact-save]").HasAttribute("disabled"));
        Assert.False(page.Find("[data-testid=add-card]").HasAttribute("disabled"));
        Assert.False(page.Find("[data-testid=switch-to-Enterprise]").HasAttribute("disabled"));
        Assert.NotEmpty(page.FindAll("[data-testid=support-section]"));
        Assert.NotEmpty(page.FindAll("[data-testid=alert-section]"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Downgrading_WhenTheOrganizationDoesNotFit_ListsWhatToChange()
    {
        var (db, orgId, org) = await SetUpAsync(Role.OrgBillingAdmin);
        await using var _ = db;
        await db.AddProjectAsync(orgId, "Analytics");
        var page = Context.Render<BillingPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));
        page.WaitForElement("[data-testid=switch-to-Starter]", TimeSpan.FromSeconds(10));

        await page.Find("[data-testid=switch-to-Starter]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Delete 1 project", page.Find("[data-testid=plan-blockers]").TextContent), TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 60_000)]
    public async Task AddCardDialog_ShowsADeclineOnTheNumberField()
    {
        var (db, orgId, _) = await SetUpAsync(Role.OrgBillingAdmin);
        await using var _ = db;
        var providers = Context.Render<MudDialogProvider>();
        var dialogs = Context.Services.GetRequiredService<IDialogService>();

        await providers.InvokeAsync(() => dialogs.ShowAsync<AddCardDialog>("Add a card",
            new DialogParameters<AddCardDialog> { { d => d.OrganizationId, orgId }, { d => d.DefaultExpiryYear, 2028 } }));
        providers.WaitForElement("[data-testid=card-save]", TimeSpan.FromSeconds(10));
        providers.Find("input[data-testid=card-number], [data-testid=card-number] input").Change("4000000000000002");
        providers.Find("input[data-testid=card-cvc], [data-testid=card-cvc] input").Change("123");
        await providers.Find("form#add-card-form").SubmitAsync();

        providers.WaitForAssertion(() => Assert.Contains("The card was declined.", providers.Markup), TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 60_000)]
    public async Task UsagePage_ShowsTheTableAndChart_ForABillingAdmin()
    {
        var (db, orgId, org) = await SetUpAsync(Role.OrgBillingAdmin);
        await using var _ = db;

        var page = Context.Render<UsagePage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));

        page.WaitForAssertion(() => Assert.Contains("2,000,000", page.Find("[data-testid=usage-table]").TextContent), TimeSpan.FromSeconds(10));
        Assert.NotEmpty(page.FindAll("[data-testid=usage-chart] svg"));
    }

    [Fact(Timeout = 60_000)]
    public async Task UsageChart_YAxisTicks_AreRoundNumbersWithThousandsSeparators()
    {
        var (db, orgId, org) = await SetUpAsync(Role.OrgBillingAdmin);
        await using var _ = db;

        var page = Context.Render<UsagePage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));
        page.WaitForElement("[data-testid=usage-chart] svg", TimeSpan.FromSeconds(10));

        var labels = page.FindAll("[data-testid=usage-chart] svg text").Select(t => t.TextContent.Trim())
            .Where(t => t.Length > 0 && t.All(c => char.IsDigit(c) || c is ',' or '.')).ToList();
        Assert.True(labels.Count >= 3, string.Join(" | ", labels));
        Assert.All(labels.Where(l => l.Replace(",", "").Length > 3), l => Assert.Contains(",", l));
        var values = labels.Select(l => double.Parse(l, System.Globalization.NumberStyles.AllowThousands | System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture))
            .Distinct().Order().ToList();
        var step = values[1] - values[0];
        var mantissa = step / Math.Pow(10, Math.Floor(Math.Log10(step)));
        Assert.Contains(mantissa, new[] { 1, 2, 2.5, 5 });
        Assert.All(values, v => Assert.Equal(0, v % step));
    }

    [Fact(Timeout = 60_000)]
    public async Task InvoicePages_ListTheDraftAndLastMonth_AndShowTheLines()
    {
        var (db, orgId, org) = await SetUpAsync(Role.OrgBillingAdmin);
        await using var _ = db;

        var list = Context.Render<InvoicesPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));
        list.WaitForAssertion(() => Assert.Equal(2, list.FindAll("[data-testid=invoice-row]").Count), TimeSpan.FromSeconds(10));
        Assert.Contains("Draft", list.FindAll("[data-testid=invoice-row]")[0].TextContent);
        Assert.Single(list.FindAll("[data-testid=invoice-pdf]"));

        var invoiceId = (await db.Service<InvoiceService>(org.UserId).ListAsync(orgId)).Value[1].Id!.Value;
        var detail = Context.Render<InvoicePage>(p => p.Add(x => x.OrgId, orgId).Add(x => x.InvoiceId, invoiceId).AddCascadingValue(org));
        detail.WaitForAssertion(() => Assert.Contains("Search: Read units", detail.Find("[data-testid=invoice-lines]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal("$75.00", detail.Find("[data-testid=invoice-total]").TextContent); // 25 fee + 32.40 usage + 17.60 top-up to the $50 minimum
    }

    [Fact(Timeout = 60_000)]
    public async Task PayNow_ShowsTheAmount_AndChargesOnlyOnceConfirmed()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _, admin, project) = await db.StandardOrgAsync(withCard: false);
        await db.IngestAsync(Record("u1", project, "2026-10-20", "read_units", 2_000_000m));
        await db.Service<InvoiceService>(null).ClosePeriodsAsync();
        Assert.True((await db.Service<BillingService>(admin).SetPaymentMethodAsync(orgId, Visa)).IsSuccess);
        var invoiceId = (await db.Service<InvoiceService>(admin).ListAsync(orgId)).Value[1].Id!.Value;
        var org = await SignInAsync(db, orgId, admin, [typeof(InvoiceService)]);
        var providers = DialogProvider;
        var gateway = (TestPaymentGateway)db.Services.GetRequiredService<IPaymentGateway>();
        var page = Context.Render<InvoicePage>(p => p.Add(x => x.OrgId, orgId).Add(x => x.InvoiceId, invoiceId).AddCascadingValue(org));
        page.WaitForElement("[data-testid=pay-invoice]", TimeSpan.FromSeconds(10));

        // The click's handler waits for the dialog's answer, so it completes only once a dialog button is clicked.
        var asking = page.Find("[data-testid=pay-invoice]").ClickAsync();
        providers.WaitForAssertion(() => Assert.Contains("$75.00", providers.Markup), TimeSpan.FromSeconds(10));
        Assert.Contains("card on file", providers.Markup);
        await providers.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync();
        await asking;
        Assert.Empty(gateway.Charges);
        Assert.Equal(InvoiceStatus.Open, (await db.Service<InvoiceService>(admin).GetAsync(orgId, invoiceId)).Value.Summary.Status);

        asking = page.Find("[data-testid=pay-invoice]").ClickAsync();
        providers.WaitForAssertion(() => Assert.Contains(providers.FindAll("button"), b => b.TextContent.Trim() == "Pay $75.00"), TimeSpan.FromSeconds(10));
        await providers.FindAll("button").Single(b => b.TextContent.Trim() == "Pay $75.00").ClickAsync();
        await asking;

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=pay-invoice]")), TimeSpan.FromSeconds(10));
        Assert.Single(gateway.Charges);
        Assert.Equal(InvoiceStatus.Paid, (await db.Service<InvoiceService>(admin).GetAsync(orgId, invoiceId)).Value.Summary.Status);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(Role.OrgMember, false)]
    [InlineData(Role.OrgBillingAdmin, true)]
    [InlineData(Role.OrgOwner, true)]
    public async Task Navigation_ShowsBillingOnlyToRolesThatMayUseIt(Role role, bool shown)
    {
        var auth = Context.AddAuthorization();
        auth.SetAuthorized("someone@acme.example"); // a signed-in person without the platform Support role
        var (db, _, org) = await SetUpAsync(role);
        await using var _ = db;

        var nav = Context.Render<NavMenu>(p => p.Add(x => x.Org, org));

        var links = nav.FindAll("a").Select(a => a.TextContent.Trim()).ToList();
        Assert.Equal(shown, links.Contains("Billing"));
        Assert.Equal(shown, links.Contains("Usage"));
        Assert.Equal(shown, links.Contains("Invoices"));
        Assert.Contains("Projects", links);
        Assert.DoesNotContain("Support console", links);
    }

    [Fact]
    public void Navigation_ShowsTheSupportConsoleOnlyToSupportStaff()
    {
        var auth = Context.AddAuthorization();
        auth.SetAuthorized("support@orgconsole.example");
        auth.SetRoles(PlatformRoles.Support);

        var nav = Context.Render<NavMenu>();

        Assert.Contains("Support console", nav.FindAll("a").Select(a => a.TextContent.Trim()));
    }
}
