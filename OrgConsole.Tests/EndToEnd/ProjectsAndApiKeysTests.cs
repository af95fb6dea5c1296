using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>An owner sets up a project for a colleague and a client, clicked through in Chromium against the app on Kestrel.</summary>
public sealed class ProjectsAndApiKeysTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string DemoPassword = "OrgConsole-demo-1";
    public const string ListScreenshotPath = "/tmp/projects-list.png";
    public const string KeysScreenshotPath = "/tmp/project-keys.png";
    public const string MembersScreenshotPath = "/tmp/project-members.png";
    public const string KeyDialogScreenshotPath = "/tmp/project-key-dialog.png";

    [Fact(Timeout = 240_000)]
    public async Task Owner_CreatesProject_AddsMember_CreatesAndCopiesKey_KeyWorksUntilDeleted()
    {
        await using var app = AppFactory.OnKestrel();
        await using var context = await browser.NewContextAsync(app.BaseAddress);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = app.BaseAddress.GetLeftPart(UriPartial.Authority) });
        var page = await context.NewPageAsync();
        var browserErrors = new List<string>();
        page.PageError += (_, error) => browserErrors.Add($"page error: {error}");
        page.Console += (_, message) => { if (message.Type == "error") browserErrors.Add($"console error: {message.Text}"); };
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var projectName = "Recommendations " + Guid.NewGuid().ToString("N")[..6];
        const string keyName = "e2e-ci-key";

        try
        {
            // Sign in as the demo owner and open Projects from the navigation.
            await page.GotoAsync("Account/Login");
            await page.Locator("[id='Input.Email']").FillAsync("owner@acme.example");
            await page.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync(); // email first (SSO domains go to their provider)
            await page.Locator("[id='Input.Password']").FillAsync(DemoPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}"));
            await WaitUntilInteractiveAsync(page);
            await page.GetByRole(AriaRole.Link, new() { Name = "Projects", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}/projects$"));
            await WaitUntilInteractiveAsync(page);
            await Expect(page.GetByTestId("project-link")).ToHaveTextAsync(["Analytics", "Search"]);
            await Expect(page.GetByTestId("project-quota")).ToContainTextAsync("2 of 20 projects");
            await page.ScreenshotAsync(new() { Path = ListScreenshotPath, FullPage = true });

            // Create a project: the console opens it.
            await page.GetByTestId("create-project").ClickAsync();
            await MudInput(page, "project-name").FillAsync(projectName);
            await page.GetByTestId("create-project-submit").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}/projects/[0-9a-f-]{36}$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(projectName);
            await WaitUntilInteractiveAsync(page);
            var projectId = Guid.Parse(page.Url[^36..]);

            // Members: add Eli as Project user.
            await Tab(page, "Members").ClickAsync();
            await page.GetByTestId("add-project-member").ClickAsync();
            await page.GetByTestId("candidate-select").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "Eli Engineer (eli@acme.example)" }).ClickAsync();
            await page.GetByTestId("add-member-submit").ClickAsync();
            await Expect(page.GetByText("Eli Engineer (eli@acme.example) was added to the project.")).ToBeVisibleAsync();
            var eliRow = page.Locator("tr", new() { Has = page.GetByText("eli@acme.example", new() { Exact = true }) });
            await Expect(eliRow.GetByRole(AriaRole.Combobox)).ToContainTextAsync("Project user");
            await Expect(page.Locator("tr", new() { Has = page.GetByText("owner@acme.example", new() { Exact = true }) }).GetByTestId("implicit-owner")).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "members tab");
            await page.ScreenshotAsync(new() { Path = MembersScreenshotPath, FullPage = true });

            // API keys: create one and take it from the one-time dialog.
            await Tab(page, "API keys").ClickAsync();
            await Expect(page.GetByTestId("keys-empty")).ToBeVisibleAsync();
            await page.GetByTestId("create-api-key").ClickAsync();
            await MudInput(page, "key-name-input").FillAsync(keyName);
            await page.GetByTestId("create-key-submit").ClickAsync();
            var keyField = page.Locator("textarea[data-testid='api-key-value'], [data-testid='api-key-value'] textarea").First;
            await Expect(keyField).ToHaveValueAsync(new Regex("^pckey_[a-z2-7]{8}_[a-z2-7]{52}$"));
            var key = await keyField.InputValueAsync();
            await Expect(page.GetByTestId("key-shown-once")).ToContainTextAsync("shown only this once");
            await page.GetByTestId("copy-api-key").ClickAsync();
            await Expect(page.GetByTestId("copy-status")).ToHaveTextAsync("The key is on your clipboard.");
            Assert.Equal(key, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
            await page.ScreenshotAsync(new() { Path = KeyDialogScreenshotPath });
            await AssertAccessibleAsync(page, "one-time key dialog");
            await page.GetByTestId("api-key-done").ClickAsync();
            await Expect(page.GetByTestId("api-key-done")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("key-name")).ToHaveTextAsync([keyName]);
            Assert.DoesNotContain(key, await page.ContentAsync());

            // The key authenticates against the check endpoint.
            using (var response = await WhoAmIAsync(http, key))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(projectId, body.GetProperty("project_id").GetGuid());
                Assert.Equal(keyName, body.GetProperty("name").GetString());
                Assert.Equal(["ProjectEditor"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString() ?? "").ToList());
            }

            await AssertAccessibleAsync(page, "API keys tab");
            await page.ScreenshotAsync(new() { Path = KeysScreenshotPath, FullPage = true });

            // Delete it with typed confirmation: the very next call is refused.
            await page.GetByTestId("delete-key").ClickAsync();
            await Expect(page.GetByTestId("delete-confirm")).ToBeDisabledAsync();
            await MudInput(page, "delete-confirm-input").FillAsync(keyName);
            await page.GetByTestId("delete-confirm").ClickAsync();
            await Expect(page.GetByText($"{keyName} was deleted.")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("keys-empty")).ToBeVisibleAsync();

            using (var response = await WhoAmIAsync(http, key))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = "/tmp/e2e-projects-failure.png", FullPage = true });
            output.WriteLine($"Failed at {page.Url}; screenshot in /tmp/e2e-projects-failure.png");
            throw;
        }
        finally
        {
            foreach (var error in browserErrors) output.WriteLine(error);
        }
    }

    private static Task<HttpResponseMessage> WhoAmIAsync(HttpClient http, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "api/keys/whoami");
        request.Headers.Add("Api-Key", key);
        return http.SendAsync(request);
    }

    private async Task AssertAccessibleAsync(IPage page, string what)
    {
        // A snackbar fading in or out is measured at partial opacity: check the page once it is gone.
        await Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0);
        var axe = await page.RunAxe();
        var blocking = axe.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        foreach (var minor in axe.Violations.Except(blocking)) output.WriteLine($"axe (not failing) on the {what} [{minor.Impact}] {minor.Id}: {minor.Help}");
        var report = string.Join(Environment.NewLine, blocking.Select(v =>
            $"[{v.Impact}] {v.Id}: {v.Help}{Environment.NewLine}" +
            string.Join(Environment.NewLine, v.Nodes.Select(n => $"    {n.Target} :: {n.Html}{Environment.NewLine}      " +
                string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))))));
        Assert.True(blocking.Count == 0, $"axe found serious or critical violations on the {what}:{Environment.NewLine}{report}");
    }

    private static ILocator Tab(IPage page, string name) => page.GetByRole(AriaRole.Tab, new() { Name = name, Exact = true });

    /// <summary>Clicks before the Blazor circuit is live are lost: wait for the layout's interactivity marker.</summary>
    private static Task WaitUntilInteractiveAsync(IPage page) =>
        Expect(page.Locator("#main[data-interactive='true']")).ToBeAttachedAsync();

    /// <summary>The input of a MudTextField, whichever element MudBlazor puts the data-testid on.</summary>
    private static ILocator MudInput(IPage page, string testId) =>
        page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input").First;
}
