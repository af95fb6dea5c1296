using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>
/// axe finds nothing serious or critical on every main page and dialog, in the light and the dark theme, and the
/// browser console stays free of errors (issue 16). One app for the class; each case signs in afresh in its own context.
/// </summary>
public sealed class AccessibilityTests(BrowserFixture browser, KestrelAppFixture app, ITestOutputHelper output)
    : IClassFixture<BrowserFixture>, IClassFixture<KestrelAppFixture>
{
    private static readonly string[] PageNames =
    [
        "overview", "members", "invitations", "projects", "project", "api-keys", "service-accounts", "billing", "usage", "invoices",
        "invoice", "plan", "audit", "settings", "sso", "support",
    ];

    private static readonly string[] DialogNames =
    [
        "invite-members", "change-role", "transfer-ownership", "create-project", "create-api-key", "create-service-account", "move-project",
    ];

    public static TheoryData<string, bool> Pages => Cross(PageNames);

    public static TheoryData<string, bool> Dialogs => Cross(DialogNames);

    private static TheoryData<string, bool> Cross(string[] names)
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in names)
        {
            data.Add(name, false);
            data.Add(name, true);
        }
        return data;
    }

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(Pages))]
    public Task EveryMainPage_HasNoSeriousAxeFindings_NorConsoleErrors(string name, bool dark) =>
        RunAsync(name, dark, async page => await OpenPageAsync(page, name));

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(Dialogs))]
    public Task EveryMainDialog_HasNoSeriousAxeFindings_NorConsoleErrors(string name, bool dark) =>
        RunAsync(name, dark, async page =>
        {
            await OpenDialogAsync(page, name);
            await Expect(page.Locator(".mud-dialog").First).ToBeVisibleAsync();
        });

    private async Task RunAsync(string name, bool dark, Func<IPage, Task> open)
    {
        await using var context = await browser.NewContextAsync(app.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add(message.Text); };
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        var what = $"{name} ({(dark ? "dark" : "light")})";
        try
        {
            await SignInAsync(page, name switch
            {
                "support" or "move-project" => "support@orgconsole.example",
                "service-accounts" or "sso" or "create-service-account" => "gina@globex.example",
                _ => "owner@acme.example",
            });
            await SetThemeAsync(page, dark);
            await open(page);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await AssertAccessibleAsync(page, what, output);
            lock (errors) Assert.True(errors.Count == 0, $"Console errors on the {what}:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = $"/tmp/a11y-{name}-{(dark ? "dark" : "light")}.png", FullPage = true });
            throw;
        }
    }

    /// <summary>The theme toggle in the app bar: dark mode is a saved preference, so each case sets the one it checks.</summary>
    private static async Task SetThemeAsync(IPage page, bool dark)
    {
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = dark ? "Switch to dark mode" : "Switch to light mode", Exact = true });
        if (await toggle.CountAsync() > 0) await toggle.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = dark ? "Switch to light mode" : "Switch to dark mode", Exact = true })).ToBeVisibleAsync();
    }

    private static string OrgPath(IPage page) => Regex.Match(page.Url, "/orgs/[0-9a-f-]{36}").Value.TrimStart('/');

    private static async Task GoAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await WaitUntilInteractiveAsync(page);
    }

    private static ILocator Tab(IPage page, string name) => page.GetByRole(AriaRole.Tab, new() { Name = name, Exact = true });

    private static async Task OpenPageAsync(IPage page, string name)
    {
        var org = OrgPath(page);
        switch (name)
        {
            case "overview":
                await GoAsync(page, org);
                break;
            case "members":
                await GoAsync(page, $"{org}/members");
                await Expect(page.GetByText("dana@acme.example").First).ToBeVisibleAsync();
                break;
            case "invitations":
                await GoAsync(page, $"{org}/members");
                await Tab(page, "Invitations").ClickAsync();
                await Expect(page.Locator("[data-testid=invitations-table], [data-testid=invitations-empty]").First).ToBeVisibleAsync();
                break;
            case "projects":
                await GoAsync(page, $"{org}/projects");
                break;
            case "project":
            case "api-keys":
                await GoAsync(page, $"{org}/projects");
                await page.GetByTestId("project-link").First.ClickAsync();
                await Expect(page).ToHaveURLAsync(new Regex("/projects/[0-9a-f-]{36}$"));
                await WaitUntilInteractiveAsync(page);
                if (name == "api-keys")
                {
                    await Tab(page, "API keys").ClickAsync();
                    await Expect(page.Locator("[data-testid=keys-table], [data-testid=keys-empty]").First).ToBeVisibleAsync();
                }
                break;
            case "service-accounts":
                await GoAsync(page, $"{org}/service-accounts");
                break;
            case "billing":
                await GoAsync(page, $"{org}/billing");
                break;
            case "plan":
                await GoAsync(page, $"{org}/billing#plan");
                break;
            case "usage":
                await GoAsync(page, $"{org}/billing/usage");
                await Expect(page.GetByTestId("usage-chart")).ToBeVisibleAsync();
                break;
            case "invoices":
                await GoAsync(page, $"{org}/billing/invoices");
                await Expect(page.GetByTestId("invoice-row").First).ToBeVisibleAsync();
                break;
            case "invoice":
                await GoAsync(page, $"{org}/billing/invoices");
                await page.GetByTestId("invoice-row").First.Locator("a").First.ClickAsync();
                await Expect(page).ToHaveURLAsync(new Regex("/billing/invoices/[0-9a-f-]{36}$|/billing/invoices/draft$"));
                await WaitUntilInteractiveAsync(page);
                break;
            case "audit":
                await GoAsync(page, $"{org}/audit");
                await Expect(page.GetByTestId("audit-grid")).ToBeVisibleAsync();
                break;
            case "settings":
                await GoAsync(page, $"{org}/settings");
                break;
            case "sso":
                await GoAsync(page, $"{org}/sso");
                break;
            case "support":
                await MudInput(page, "support-search").FillAsync("dana@acme.example");
                await page.GetByTestId("support-search-go").ClickAsync();
                await Expect(page.Locator("tr").Filter(new() { HasText = "Acme Corp" })).ToBeVisibleAsync();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "No such page.");
        }
        await Expect(page.Locator("h1").First).ToBeVisibleAsync();
    }

    private static async Task OpenDialogAsync(IPage page, string name)
    {
        var org = OrgPath(page);
        switch (name)
        {
            case "invite-members":
            case "change-role":
            case "transfer-ownership":
                await GoAsync(page, $"{org}/members");
                await Expect(page.GetByText("dana@acme.example").First).ToBeVisibleAsync();
                await page.GetByTestId(name == "invite-members" ? "invite-members" : name).First.ClickAsync();
                break;
            case "create-project":
                await GoAsync(page, $"{org}/projects");
                await page.GetByTestId("create-project").ClickAsync();
                break;
            case "create-api-key":
                await OpenPageAsync(page, "api-keys");
                await page.GetByTestId("create-api-key").ClickAsync();
                break;
            case "create-service-account":
                await GoAsync(page, $"{org}/service-accounts");
                await page.GetByTestId("create-service-account").ClickAsync();
                break;
            case "move-project":
                await MudInput(page, "support-search").FillAsync("dana@acme.example");
                await page.GetByTestId("support-search-go").ClickAsync();
                var row = page.Locator("tr").Filter(new() { HasText = "Acme Corp" });
                await row.GetByTestId("support-open").ClickAsync();
                await MudInput(page, "support-reason").FillAsync("TICKET-4711 accessibility check");
                await page.GetByTestId("support-reason-confirm").ClickAsync();
                await Expect(page).ToHaveURLAsync(new Regex("/support/orgs/[0-9a-f-]{36}$"));
                await WaitUntilInteractiveAsync(page);
                await page.GetByTestId("support-move").First.ClickAsync();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "No such dialog.");
        }
    }
}
