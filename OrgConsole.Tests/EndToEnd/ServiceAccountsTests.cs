using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>An Enterprise owner creates a service account in the browser; its credentials work on the Admin API until rotated.</summary>
public sealed class ServiceAccountsTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    [Fact(Timeout = 180_000)]
    public async Task Owner_CreatesAServiceAccount_ItsSecretIsShownOnce_AndWorksUntilRotated()
    {
        await using var app = AppFactory.OnKestrel();
        var page = await OpenPageAsync(app.BaseAddress, "page");
        await RunAsync(async () =>
        {
            await SignInAsync(page, "gina@globex.example");
            await page.GetByRole(AriaRole.Link, new() { Name = "Service accounts", Exact = true }).ClickAsync();
            await Expect(page.GetByTestId("create-service-account")).ToBeEnabledAsync();

            await page.GetByTestId("create-service-account").ClickAsync();
            await page.Locator("input[data-testid='sa-name-input'], [data-testid='sa-name-input'] input").First.FillAsync("terraform");
            await page.GetByTestId("sa-create-submit").ClickAsync();
            await Expect(page.GetByTestId("secret-shown-once")).ToBeVisibleAsync();
            var clientId = await ValueOf(page, "client-id");
            var secret = await ValueOf(page, "client-secret");
            Assert.StartsWith("pcsk_", secret);
            await AssertAccessibleAsync(page, "service account secret dialog", Output);
            await page.ScreenshotAsync(new() { Path = "/tmp/service-account-secret.png" });
            await page.GetByTestId("secret-done").ClickAsync();
            await Expect(page.GetByTestId("service-accounts-table")).ToContainTextAsync("terraform");
            await Expect(page.GetByText(secret)).ToHaveCountAsync(0);

            using var http = new HttpClient { BaseAddress = app.BaseAddress };
            Assert.Equal(HttpStatusCode.OK, (await TokenAsync(http, clientId, secret)).StatusCode);

            await page.GetByTestId("rotate-secret").ClickAsync();
            await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Rotate") }).ClickAsync();
            await Expect(page.GetByTestId("secret-shown-once")).ToBeVisibleAsync();
            var rotated = await ValueOf(page, "client-secret");
            Assert.NotEqual(secret, rotated);

            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(http, clientId, secret)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await TokenAsync(http, clientId, rotated)).StatusCode);
        });
    }

    private static async Task<string> ValueOf(IPage page, string testId)
    {
        var field = page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input, textarea[data-testid='{testId}'], [data-testid='{testId}'] textarea").First;
        return await field.CountAsync() > 0 ? await field.InputValueAsync() : (await page.GetByTestId(testId).InnerTextAsync()).Trim();
    }

    private static Task<HttpResponseMessage> TokenAsync(HttpClient http, string clientId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = JsonContent.Create(new Dictionary<string, string>
            {
                ["client_id"] = clientId, ["client_secret"] = secret, ["grant_type"] = "client_credentials", ["audience"] = "https://api.pinecone.io/",
            }),
        };
        request.Headers.Add("X-Pinecone-Api-Version", "2026-04");
        return http.SendAsync(request);
    }
}
