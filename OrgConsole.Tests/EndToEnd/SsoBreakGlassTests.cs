using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;
using OrgConsole.Tests.TestSupport.OidcProvider;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>
/// Break-glass (SPEC §6): with SSO enforced for acme.example, the owner (2FA on) still gets in with password + code;
/// a member gets "Continue with SSO" only, and the password path refuses them.
/// </summary>
public sealed class SsoBreakGlassTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    [Fact(Timeout = 300_000)]
    public async Task UnderEnforcement_TheOwnerWith2faBreaksGlass_AMemberGetsOnlySso()
    {
        await using var idp = await OidcTestProvider.StartAsync();
        await using var app = AppFactory.OnKestrel();
        var orgId = await SsoTestSetup.ConnectAcmeAsync(app, idp, enforce: true);
        string key;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var olivia = (await users.FindByEmailAsync("owner@acme.example"))!;
            await users.ResetAuthenticatorKeyAsync(olivia);
            await users.SetTwoFactorEnabledAsync(olivia, true);
            key = (await users.GetAuthenticatorKeyAsync(olivia))!;
        }
        var owner = await OpenPageAsync(app.BaseAddress, "owner");
        var member = await OpenPageAsync(app.BaseAddress, "member");
        await RunAsync(async () =>
        {
            await owner.GotoAsync("Account/Login");
            await owner.Locator("[id='Input.Email']").FillAsync("owner@acme.example");
            await owner.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync();
            await Expect(owner.GetByTestId("sso-offer")).ToBeVisibleAsync();
            await Expect(owner.Locator("[id='Input.Password']")).ToHaveCountAsync(0);
            await owner.GetByTestId("break-glass").ClickAsync();
            await Expect(owner.GetByTestId("break-glass-note")).ToBeVisibleAsync();
            await AssertAccessibleAsync(owner, "break-glass sign-in", Output);
            await owner.Locator("[id='Input.Password']").FillAsync(DemoPassword);
            await owner.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await Expect(owner).ToHaveURLAsync(new Regex("Account/LoginWith2fa"));
            await owner.Locator("[id='Input.TwoFactorCode']").FillAsync(Totp.Code(key, DateTimeOffset.UtcNow));
            await owner.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await Expect(owner).Not.ToHaveURLAsync(new Regex("Account/"));
            await WaitUntilInteractiveAsync(owner);
            await owner.GotoAsync($"orgs/{orgId}/audit");
            await WaitUntilInteractiveAsync(owner);
            await Expect(owner.GetByText("auth.break_glass").First).ToBeVisibleAsync();

            await member.GotoAsync("Account/Login");
            await member.Locator("[id='Input.Email']").FillAsync("dana@acme.example");
            await member.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync();
            await Expect(member.GetByTestId("continue-with-sso")).ToBeVisibleAsync();
            await Expect(member.Locator("[id='Input.Password']")).ToHaveCountAsync(0);
            await member.GetByTestId("break-glass").ClickAsync();
            await member.Locator("[id='Input.Password']").FillAsync(DemoPassword);
            await member.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await Expect(member.GetByRole(AriaRole.Alert)).ToContainTextAsync("Acme Corp requires single sign-on for acme.example addresses");
            await Expect(member).ToHaveURLAsync(new Regex("/Account/Login"));
        });
    }
}
