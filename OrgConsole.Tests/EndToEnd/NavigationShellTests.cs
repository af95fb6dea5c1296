using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>
/// The navigation drawer is static server rendering (issue 17): its links are followed by enhanced navigation, the
/// current page's link is marked, and the app bar's toggle closes and opens it in the browser, for the rest of the tab.
/// </summary>
public sealed class NavigationShellTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    [Fact(Timeout = 180_000)]
    public async Task DrawerLinks_NavigateAndMarkThePage_TheToggleClosesAndOpensTheDrawer_AcrossNavigations()
    {
        await using var app = AppFactory.OnKestrel();
        var page = await OpenPageAsync(app.BaseAddress, "page");

        await RunAsync(async () =>
        {
            await SignInAsync(page, "owner@acme.example");
            var drawer = page.Locator("aside.mud-drawer");
            var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" });
            await Expect(drawer).ToHaveClassAsync(new Regex("mud-drawer--open"));

            await nav.GetByRole(AriaRole.Link, new() { Name = "Members", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}/members$"));
            await WaitUntilInteractiveAsync(page);
            await Expect(page.GetByTestId("members-grid")).ToBeVisibleAsync();
            await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Members", Exact = true })).ToHaveClassAsync(new Regex("active"));
            await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Projects", Exact = true })).Not.ToHaveClassAsync(new Regex("active"));

            var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation", Exact = true });
            await toggle.ClickAsync();
            await Expect(drawer).ToHaveClassAsync(new Regex("mud-drawer--closed"));
            await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Projects", Exact = true })).Not.ToBeInViewportAsync();

            // Another page by enhanced navigation: the drawer stays closed.
            await page.EvaluateAsync("url => Blazor.navigateTo(url)", Regex.Replace(page.Url, "/members$", "/projects"));
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}/projects$"));
            await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Projects", Exact = true })).ToHaveClassAsync(new Regex("active"));
            await Expect(drawer).ToHaveClassAsync(new Regex("mud-drawer--closed"));

            await toggle.ClickAsync();
            await Expect(drawer).ToHaveClassAsync(new Regex("mud-drawer--open"));
            await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Overview", Exact = true })).ToBeInViewportAsync();
        });
    }
}
