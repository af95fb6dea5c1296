using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Invitations;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>
/// The account experience as a newcomer and a member live it: registration asks for a name that the console then shows
/// (user menu, members, audit log); invitations waiting for the account appear after sign-in; the account pages wear
/// the console's MudBlazor look, show the 2FA QR code, and leave no browser console errors.
/// </summary>
public sealed class AccountExperienceTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string Password = "Newcomer-Passw0rd!";

    [Fact(Timeout = 240_000)]
    public async Task ANewcomer_RegistersWithTheirName_AcceptsThePendingInvitationFromTheBanner_AndIsNamedInMembersAndAudit()
    {
        await using var app = AppFactory.OnKestrel();
        await using var newcomerContext = await browser.NewContextAsync(app.BaseAddress);
        await using var ownerContext = await browser.NewContextAsync(app.BaseAddress);
        var newcomer = await newcomerContext.NewPageAsync();
        var owner = await ownerContext.NewPageAsync();
        var errors = WatchForErrors(newcomer, owner);
        var email = $"nina-{Guid.NewGuid():N}"[..16] + "@example.com";
        var orgId = await InviteAsync(app, email);
        var current = newcomer;

        try
        {
            // Registration with a display name; the address comes prefilled from the link the sign-in step offers.
            await newcomer.GotoAsync($"Account/Register?email={Uri.EscapeDataString(email)}");
            await Expect(newcomer.Locator("[id='Input.Email']")).ToHaveValueAsync(email);
            await newcomer.Locator("[id='Input.DisplayName']").FillAsync("Nina Newcomer");
            await newcomer.Locator("[id='Input.Password']").FillAsync(Password);
            await newcomer.Locator("[id='Input.ConfirmPassword']").FillAsync(Password);
            await newcomer.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();
            await Expect(newcomer).ToHaveURLAsync(new Regex("/Account/RegisterConfirmation"));
            await newcomer.GotoAsync("dev/outbox");
            await WaitUntilInteractiveAsync(newcomer);
            await newcomer.GetByTestId("outbox-message").Filter(new() { HasText = email }).Filter(new() { HasText = "Confirm your email" })
                .GetByRole(AriaRole.Link, new() { Name = "Confirm my email" }).ClickAsync();
            await Expect(newcomer.GetByText("Thank you for confirming your email.")).ToBeVisibleAsync();

            // Signed in, the invitation waits in a banner, without the email link; accepting lands in the organization.
            await SignInAsync(newcomer, email, Password);
            var banner = newcomer.GetByTestId("pending-invitation");
            await Expect(banner).ToContainTextAsync("Olivia Owner (owner@acme.example) invited you to join Acme Corp");
            await newcomer.ScreenshotAsync(new() { Path = "/tmp/pending-invitation-banner.png", FullPage = true });
            await AssertAccessibleAsync(newcomer, "pending-invitation banner", output);
            await banner.GetByTestId("accept-pending-invitation").ClickAsync();
            await Expect(newcomer).ToHaveURLAsync(new Regex($"/orgs/{orgId}$"));
            await WaitUntilInteractiveAsync(newcomer);
            await Expect(newcomer.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Acme Corp");
            await Expect(newcomer.GetByTestId("pending-invitation")).ToHaveCountAsync(0);
            await Expect(newcomer.GetByTestId("user-menu")).ToContainTextAsync("Nina Newcomer");

            // The owner sees the name in the member list and in the audit log.
            current = owner;
            await SignInAsync(owner, "owner@acme.example");
            await owner.GotoAsync($"orgs/{orgId}/members");
            await WaitUntilInteractiveAsync(owner);
            await Expect(owner.GetByRole(AriaRole.Row).Filter(new() { HasText = email })).ToContainTextAsync("Nina Newcomer");
            await owner.GotoAsync($"orgs/{orgId}/audit");
            await WaitUntilInteractiveAsync(owner);
            await Expect(owner.GetByText($"Nina Newcomer ({email})").First).ToBeVisibleAsync();
            Assert.Empty(errors);
        }
        catch
        {
            await current.ScreenshotAsync(new() { Path = "/tmp/account-experience-failure.png", FullPage = true });
            output.WriteLine(string.Join("\n", errors));
            throw;
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task TheAccountPages_WearTheConsolesMudBlazorLook_ShowTheQrCode_AndLeaveNoConsoleErrors()
    {
        await using var app = AppFactory.OnKestrel();
        await using var context = await browser.NewContextAsync(app.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = WatchForErrors(page);

        try
        {
            foreach (var path in new[] { "Account/Login", "Account/Register", "Account/ForgotPassword" })
            {
                await page.GotoAsync(path);
                await AssertConsoleLookAsync(page, path);
            }
            await AssertAccessibleAsync(page, "forgot-password page", output);

            await SignInAsync(page, "eli@acme.example");
            foreach (var path in new[] { "Account/Manage", "Account/Manage/Email", "Account/Manage/ChangePassword", "Account/Manage/TwoFactorAuthentication", "Account/Manage/Passkeys" })
            {
                await page.GotoAsync(path);
                await AssertConsoleLookAsync(page, path);
            }
            await page.GotoAsync("Account/Manage");
            await Expect(page.Locator("[id='Input.DisplayName']")).ToHaveValueAsync("Eli Engineer");
            await AssertAccessibleAsync(page, "profile page", output);

            await page.GotoAsync("Account/Manage/EnableAuthenticator");
            await AssertConsoleLookAsync(page, "EnableAuthenticator");
            var qr = page.GetByTestId("authenticator-qr");
            await Expect(qr).ToBeVisibleAsync();
            Assert.True(await qr.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), "the QR code image did not load");
            await page.ScreenshotAsync(new() { Path = "/tmp/enable-authenticator.png", FullPage = true });
            Assert.Empty(errors);
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = "/tmp/account-pages-failure.png", FullPage = true });
            output.WriteLine(string.Join("\n", errors));
            throw;
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task RenamingYourself_OnTheProfilePage_ReportsBadInputInline_ThenShowsTheNewNameInTheUserMenu()
    {
        await using var app = AppFactory.OnKestrel();
        await using var context = await browser.NewContextAsync(app.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = WatchForErrors(page);

        await SignInAsync(page, "dana@acme.example");
        await page.GotoAsync("Account/Manage");
        await page.Locator("[id='Input.DisplayName']").FillAsync("Dana D.");
        await page.Locator("[id='Input.PhoneNumber']").FillAsync("not a phone");
        await page.GetByTestId("profile-save").ClickAsync();
        await Expect(page.GetByText("The Phone number field is not a valid phone number.")).ToBeVisibleAsync();

        await page.Locator("[id='Input.PhoneNumber']").FillAsync("+1 555 0100");
        await page.GetByTestId("profile-save").ClickAsync();
        await Expect(page.GetByText("Your profile has been updated.")).ToBeVisibleAsync();
        await page.GotoAsync("/");
        await WaitUntilInteractiveAsync(page);
        await Expect(page.GetByTestId("user-menu")).ToContainTextAsync("Dana D.");
        Assert.Empty(errors);
    }

    /// <summary>MudBlazor's inputs and buttons and the console's app bar; none of the template's bootstrap cards and buttons.</summary>
    private static async Task AssertConsoleLookAsync(IPage page, string what)
    {
        await Expect(page.Locator(".mud-appbar")).ToHaveCountAsync(1);
        await Expect(page.Locator("h1.mud-typography").First).ToBeVisibleAsync();
        Assert.True(await page.Locator(".mud-button-root").CountAsync() > 0, $"{what}: no MudBlazor button");
        Assert.Equal(0, await page.Locator(".btn, .form-control, .form-floating").CountAsync());
        var uppercase = await page.Locator(".mud-button-root").EvaluateAllAsync<int>(
            "buttons => buttons.filter(b => getComputedStyle(b).textTransform === 'uppercase').length");
        Assert.True(uppercase == 0, $"{what}: {uppercase} buttons are upper-cased");
    }

    private static List<string> WatchForErrors(params IPage[] pages)
    {
        var errors = new List<string>();
        foreach (var page in pages)
        {
            page.PageError += (_, error) => errors.Add($"page error: {error}");
            page.Console += (_, message) => { if (message.Type == "error") errors.Add($"console error on {page.Url}: {message.Text}"); };
        }
        return errors;
    }

    private static async Task<Guid> InviteAsync(AppFactory app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        var owner = await db.Users.SingleAsync(u => u.Email == "owner@acme.example");
        var acme = await db.Organizations.Where(o => o.Name == DemoSeeder.OrganizationName).Select(o => o.Id).SingleAsync();
        scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, owner.Id, owner.Email!);
        var invited = await scope.ServiceProvider.GetRequiredService<InvitationService>().InviteAsync(acme, new InviteRequest([email], Role.OrgMember));
        Assert.True(invited.IsSuccess, invited.Error?.Message);
        return acme;
    }
}
