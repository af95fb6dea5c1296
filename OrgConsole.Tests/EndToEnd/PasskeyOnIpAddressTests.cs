using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>Sign-in pages served at an IP address (127.0.0.1) do not trip WebAuthn's "invalid domain" error.</summary>
public sealed class PasskeyOnIpAddressTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    [Fact(Timeout = 120_000)]
    public async Task SignInPages_At127001_LeaveNoBrowserConsoleErrors()
    {
        await using var app = AppFactory.OnKestrel();
        Assert.Equal("127.0.0.1", app.BaseAddress.Host);
        var page = await OpenPageAsync(app.BaseAddress);

        // The browser errors are the assertion: RunAsync fails on any.
        await RunAsync(async () =>
        {
            await page.GotoAsync("Account/Login");
            await page.Locator("[id='Input.Email']").FillAsync("nobody@example.com");
            await page.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync();
            await Expect(page.Locator("[id='Input.Password']")).ToBeVisibleAsync();
            // The passkey autofill runs on load; give it the time it takes to fail.
            await page.WaitForTimeoutAsync(1500);
            await page.GotoAsync("Account/Register");
            await page.WaitForTimeoutAsync(1000);
        });
    }
}
