using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrgConsole.Features.Sso;
using OrgConsole.Tests.TestSupport;
using OrgConsole.Tests.TestSupport.Dns;
using OrgConsole.Tests.TestSupport.OidcProvider;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>
/// An owner connects Acme to a real OpenID Connect provider (OpenIddict on loopback); a newcomer in the domain signs in
/// there and arrives as a User; once SSO is enforced, a password sign-in in the domain is refused.
/// </summary>
public sealed class SsoTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{

    [Fact(Timeout = 300_000)]
    public async Task Owner_ConnectsTheProvider_NewcomerSignsInThereAsUser_EnforcementRefusesPasswords()
    {
        await using var idp = await OidcTestProvider.StartAsync();
        await using var app = AppFactory.OnKestrel();
        await using var dns = DnsTestServer.Start();
        var orgId = await SsoTestSetup.UpgradeAcmeToEnterpriseAsync(app);
        dns.Serve(app.Services);
        idp.AllowRedirectUri(new Uri(app.BaseAddress, SsoOidc.CallbackPathOf(orgId).TrimStart('/')).ToString());
        var owner = await OpenPageAsync(app.BaseAddress, "owner");
        var newcomer = await OpenPageAsync(app.BaseAddress, "newcomer");
        var dana = await OpenPageAsync(app.BaseAddress, "dana");

        await RunAsync(async () =>
        {
            // The owner connects the provider from the Single sign-on page.
            await SignInAsync(owner, "owner@acme.example");
            await Expect(owner).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}$"));
            await owner.GetByRole(AriaRole.Link, new() { Name = "Single sign-on", Exact = true }).ClickAsync();
            await Expect(owner).ToHaveURLAsync(new Regex($"/orgs/{orgId}/sso$"));
            await WaitUntilInteractiveAsync(owner);
            await MudInput(owner, "sso-issuer").FillAsync(idp.Issuer.AbsoluteUri);
            await owner.GetByTestId("sso-test").ClickAsync();
            await Expect(owner.GetByTestId("sso-test-result")).ToContainTextAsync("Connected");
            await MudInput(owner, "sso-client-id").FillAsync(OidcTestProvider.ClientId);
            await MudInput(owner, "sso-client-secret").FillAsync(OidcTestProvider.ClientSecret);
            await owner.Locator("[data-testid='sso-domains'] textarea, textarea[data-testid='sso-domains']").First.FillAsync("acme.example");
            await owner.GetByTestId("sso-save").ClickAsync();
            await Expect(owner.GetByText("Single sign-on settings saved.")).ToBeVisibleAsync();
            await Expect(owner.GetByText($"Stored encrypted: ••••{OidcTestProvider.ClientSecret[^4..]}")).ToBeVisibleAsync();

            // The domain counts once verified: the owner publishes the TXT challenge the page shows, then clicks Verify.
            await Expect(owner.GetByTestId("sso-domain-unverified")).ToBeVisibleAsync();
            dns.SetTxt(await owner.GetByTestId("sso-challenge-name").InnerTextAsync(), await owner.GetByTestId("sso-challenge-value").InnerTextAsync());
            await owner.GetByTestId("sso-verify").ClickAsync();
            await Expect(owner.GetByTestId("sso-domain-verified")).ToBeVisibleAsync();
            await owner.ScreenshotAsync(new() { Path = "/tmp/sso-settings.png", FullPage = true });
            await Expect(owner.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 20_000 }); // axe once the page is at rest
            await AssertAccessibleAsync(owner, "SSO settings page", Output);

            // A newcomer in the domain is sent to the provider, signs in there, and arrives as a User.
            await newcomer.GotoAsync("Account/Login");
            await newcomer.Locator("[id='Input.Email']").FillAsync("newhire@acme.example");
            await newcomer.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync();
            await Expect(newcomer.GetByTestId("sso-offer")).ToContainTextAsync("Acme Corp signs in acme.example addresses");
            await newcomer.ScreenshotAsync(new() { Path = "/tmp/sso-login-offer.png", FullPage = true });
            await newcomer.GetByTestId("continue-with-sso").ClickAsync();
            await Expect(newcomer).ToHaveURLAsync(new Regex("^" + Regex.Escape(idp.Issuer.AbsoluteUri) + "connect/authorize"));
            await Expect(newcomer.GetByRole(AriaRole.Heading, new() { Name = "Test IdP" })).ToBeVisibleAsync();
            await Expect(newcomer.Locator("#test_email")).ToHaveValueAsync("newhire@acme.example");
            await newcomer.GetByRole(AriaRole.Button, new() { Name = OidcTestProvider.LoginButton }).ClickAsync();
            await Expect(newcomer).ToHaveURLAsync(new Regex($"/orgs/{orgId}$"));
            await Expect(newcomer.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Acme Corp");
            await Expect(newcomer.GetByText("You are User in this organization.")).ToBeVisibleAsync();
            await newcomer.ScreenshotAsync(new() { Path = "/tmp/sso-landed.png", FullPage = true });

            // Dana starts a password sign-in while SSO is optional...
            await dana.GotoAsync("Account/Login");
            await dana.Locator("[id='Input.Email']").FillAsync("dana@acme.example");
            await dana.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync();
            await Expect(dana.GetByTestId("continue-with-sso")).ToBeVisibleAsync();
            await Expect(dana.Locator("[id='Input.Password']")).ToBeVisibleAsync();

            // ...the owner enforces SSO meanwhile...
            await owner.GetByTestId("sso-enforce").ClickAsync();
            await owner.GetByTestId("sso-save").ClickAsync();
            await Expect(owner.GetByText("Single sign-on settings saved.")).ToBeVisibleAsync();
            await Expect(MudInput(owner, "sso-enforce")).ToBeCheckedAsync();

            // ...and Dana's password is refused, pointing her to SSO.
            await dana.Locator("[id='Input.Password']").FillAsync(DemoPassword);
            await dana.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await Expect(dana.GetByRole(AriaRole.Alert)).ToContainTextAsync("Acme Corp requires single sign-on for acme.example addresses");
            await Expect(dana.Locator("[id='Input.Password']")).ToHaveCountAsync(0);
            await Expect(dana).ToHaveURLAsync(new Regex("/Account/Login"));
            await dana.ScreenshotAsync(new() { Path = "/tmp/sso-password-refused.png", FullPage = true });

            // Entering her email again offers only the provider.
            await dana.GetByTestId("login-change-email").ClickAsync();
            await Expect(dana.GetByText("Enter your email to continue.")).ToBeVisibleAsync();
            await dana.Locator("[id='Input.Email']").FillAsync("dana@acme.example");
            await dana.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync();
            await Expect(dana.GetByTestId("sso-offer")).ToBeVisibleAsync();
            await Expect(dana.Locator("[id='Input.Password']")).ToHaveCountAsync(0);
            await dana.GetByTestId("continue-with-sso").ClickAsync();
            await Expect(dana).ToHaveURLAsync(new Regex("^" + Regex.Escape(idp.Issuer.AbsoluteUri) + "connect/authorize"));
        });
    }
}
