using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>An owner sets up a project for a colleague and a client, clicked through in Chromium against the app on Kestrel.</summary>
public sealed class ProjectsAndApiKeysTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    public const string ListScreenshotPath = "/tmp/projects-list.png";
    public const string KeysScreenshotPath = "/tmp/project-keys.png";
    public const string MembersScreenshotPath = "/tmp/project-members.png";
    public const string KeyDialogScreenshotPath = "/tmp/project-key-dialog.png";

    /// <summary>The head is static: a project renamed on its page asks for an enhanced refresh, so the title follows without a reload.</summary>
    [Fact(Timeout = 240_000)]
    public async Task RenamingAProject_TheTitleFollows_WithoutAReload()
    {
        await using var app = AppFactory.OnKestrel();
        var page = await OpenPageAsync(app.BaseAddress, "page");
        var renamed = "Search renamed " + Guid.NewGuid().ToString("N")[..6];

        await RunAsync(async () =>
        {
            await SignInAsync(page, "owner@acme.example");
            await page.GetByRole(AriaRole.Link, new() { Name = "Projects", Exact = true }).ClickAsync();
            await WaitUntilInteractiveAsync(page);
            await page.GetByTestId("project-link").Filter(new() { HasText = "Search" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}/projects/[0-9a-f-]{36}$"));
            await WaitUntilInteractiveAsync(page);
            await Expect(page).ToHaveTitleAsync(new Regex("^Search · Acme Corp"));
            await page.EvaluateAsync("() => window.notReloaded = true");

            await MudInput(page, "project-rename-input").FillAsync(renamed);
            await page.GetByTestId("project-rename-save").ClickAsync();

            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(renamed);
            await Expect(page).ToHaveTitleAsync(new Regex("^" + Regex.Escape(renamed) + " · Acme Corp"));
            Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        });
    }

    [Fact(Timeout = 240_000)]
    public async Task Owner_CreatesProject_AddsMember_CreatesAndCopiesKey_KeyWorksUntilDeleted()
    {
        await using var app = AppFactory.OnKestrel();
        var page = await OpenPageAsync(app.BaseAddress, "page");
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = app.BaseAddress.GetLeftPart(UriPartial.Authority) });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var projectName = "Recommendations " + Guid.NewGuid().ToString("N")[..6];
        const string keyName = "e2e-ci-key";

        await RunAsync(async () =>
        {
            // Sign in as the demo owner and open Projects from the navigation.
            await SignInAsync(page, "owner@acme.example");
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}"));
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
            await AssertAccessibleAsync(page, "members tab", Output);
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
            await AssertAccessibleAsync(page, "one-time key dialog", Output);
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

            await AssertAccessibleAsync(page, "API keys tab", Output);
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
        });
    }

    private static Task<HttpResponseMessage> WhoAmIAsync(HttpClient http, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "api/keys/whoami");
        request.Headers.Add("Api-Key", key);
        return http.SendAsync(request);
    }

    private static ILocator Tab(IPage page, string name) => page.GetByRole(AriaRole.Tab, new() { Name = name, Exact = true });
}
