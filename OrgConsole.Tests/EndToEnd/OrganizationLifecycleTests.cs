using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>A newcomer's first visit, clicked through in a real browser against the real app on Kestrel.</summary>
public sealed class OrganizationLifecycleTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    private const string Password = "E2e-Passw0rd!";
    public const string SettingsScreenshotPath = "/tmp/e2e-settings.png";

    [Fact(Timeout = 180_000)]
    public async Task NewUser_RegistersConfirmsSignsInCreatesAndRenamesOrganization_SettingsPageIsAccessible_ThenSignsOut()
    {
        await using var app = AppFactory.OnKestrel();
        var page = await OpenPageAsync(app.BaseAddress, "page");

        var email = $"e2e-{Guid.NewGuid():N}@example.com";
        var orgName = "Initech " + Guid.NewGuid().ToString("N")[..6];
        var renamed = "Initrode " + Guid.NewGuid().ToString("N")[..6];

        await RunAsync(async () =>
        {
            // Register.
            await page.GotoAsync("Account/Register");
            await page.Locator("[id='Input.Email']").FillAsync(email);
            await page.Locator("[id='Input.Password']").FillAsync(Password);
            await page.Locator("[id='Input.ConfirmPassword']").FillAsync(Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/Account/RegisterConfirmation"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Confirm your email");

            // The confirmation email waits in the development outbox; its link confirms the address.
            await page.GetByTestId("outbox-link").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/dev/outbox$"));
            await WaitUntilInteractiveAsync(page);
            var message = page.GetByTestId("outbox-message").Filter(new() { HasText = email });
            await Expect(message).ToHaveCountAsync(1);
            await message.GetByRole(AriaRole.Link, new() { Name = "Confirm my email" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/Account/ConfirmEmail\\?"));
            await Expect(page.GetByText("Thank you for confirming your email.")).ToBeVisibleAsync();

            // Sign in: with no organization yet, the console offers to create one.
            await page.GotoAsync("Account/Login");
            await page.Locator("[id='Input.Email']").FillAsync(email);
            await page.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync(); // email first (SSO domains go to their provider)
            await page.Locator("[id='Input.Password']").FillAsync(Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/new$"));
            await WaitUntilInteractiveAsync(page);

            // Create an organization.
            await MudInput(page, "org-name").FillAsync(orgName);
            await page.GetByTestId("create-org").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(orgName);
            await Expect(page.GetByTestId("org-switcher")).ToContainTextAsync(orgName);
            var overviewUrl = page.Url;

            // Rename it on the settings page.
            await page.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}/settings$"));
            await WaitUntilInteractiveAsync(page);
            var renameInput = MudInput(page, "rename-input");
            await Expect(renameInput).ToHaveValueAsync(orgName);
            await renameInput.FillAsync(renamed);
            // The app bar is static: the page asks for an enhanced refresh of the layout after the rename. Hold that
            // request, type into the form meanwhile, and see the page body keep what was typed (no reload of its state).
            var refreshAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var settingsPath = new Regex("/orgs/[0-9a-f-]{36}/settings$");
            await page.RouteAsync(settingsPath, async route =>
            {
                if (route.Request.Method == "GET" && route.Request.Headers.TryGetValue("accept", out var accept) && accept.Contains("blazor-enhanced-nav=on"))
                {
                    refreshAsked.TrySetResult();
                    await release.Task;
                }
                await route.ContinueAsync();
            });
            await page.EvaluateAsync("() => window.notReloaded = true");
            await page.GetByTestId("rename-save").ClickAsync();
            await Expect(page.GetByText("Organization renamed.")).ToBeVisibleAsync();
            await refreshAsked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Expect(page.GetByTestId("org-switcher")).Not.ToContainTextAsync(renamed);
            await renameInput.FillAsync(renamed + " (half typed)");
            release.SetResult();
            await Expect(page.GetByTestId("org-switcher")).ToContainTextAsync(renamed);
            await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" })).ToContainTextAsync(renamed);
            await Expect(renameInput).ToHaveValueAsync(renamed + " (half typed)");
            Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
            await page.UnrouteAsync(settingsPath);
            await Expect(page).ToHaveTitleAsync(new Regex(Regex.Escape(renamed))); // the title follows without a reload

            // The new name is stored, not just shown: a fresh load of the settings page has it too.
            var settingsUrl = page.Url;
            await page.GotoAsync(settingsUrl);
            await WaitUntilInteractiveAsync(page);
            await Expect(MudInput(page, "rename-input")).ToHaveValueAsync(renamed);
            await Expect(page.GetByTestId("org-switcher")).ToContainTextAsync(renamed);
            await Expect(page).ToHaveTitleAsync(new Regex(Regex.Escape(renamed)));

            // Accessibility of the settings page.
            await page.ScreenshotAsync(new() { Path = SettingsScreenshotPath, FullPage = true });
            await AssertAccessibleAsync(page, "settings page", Output);

            // Sign out from the user menu.
            await page.Locator("button[data-testid='user-menu'], [data-testid='user-menu'] button").First.ClickAsync();
            await page.GetByTestId("sign-out").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/Account/Login"));
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true })).ToBeVisibleAsync();

            // Signed out for real: the organization is no longer reachable without signing in again.
            await page.GotoAsync(overviewUrl);
            await Expect(page).ToHaveURLAsync(new Regex("/Account/Login"));
            await Expect(page.GetByText(renamed)).ToHaveCountAsync(0);
        });
    }
}
