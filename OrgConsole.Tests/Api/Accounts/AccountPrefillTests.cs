using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Features.Audit;
using OrgConsole.Data;
using OrgConsole.Features.Invitations;
using OrgConsole.Tests.TestSupport;
using static OrgConsole.Tests.TestSupport.AccountForms;

namespace OrgConsole.Tests.Api.Accounts;

/// <summary>
/// Registration and password reset prefill the address from the step before (the invitation, the sign-in email step),
/// for display only: the invitation token and the reset token still decide. Registration asks for a display name and
/// reports every problem of the form at once.
/// </summary>
public sealed partial class AccountPrefillTests : IAsyncLifetime
{
    private readonly AppFactory _app = AppFactory.InMemory();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task AnInvitationLink_OffersRegistrationAndSignIn_WithTheInvitedAddressPrefilled()
    {
        var token = await InviteAsync("newcomer@acme.example");
        var client = _app.NewClient();

        var invitation = WebUtility.HtmlDecode(await client.GetStringAsync($"/invitations/accept?token={Uri.EscapeDataString(token)}"));
        var registerLink = Regex.Match(invitation, "href=\"(Account/Register\\?[^\"]+)\"").Groups[1].Value;
        var signInLink = Regex.Match(invitation, "href=\"(Account/Login\\?[^\"]+)\"").Groups[1].Value;

        Assert.Contains("email=newcomer%40acme.example", registerLink);
        Assert.Contains("email=newcomer%40acme.example", signInLink);
        var register = await client.GetStringAsync("/" + registerLink);
        Assert.Equal("newcomer@acme.example", InputValue(register, "Input.Email"));
        Assert.Contains("name=\"Input.DisplayName\"", register);
    }

    [Fact(Timeout = 60_000)]
    public async Task ThePrefilledAddress_IsOnlyDisplay_RegisteringAnotherAddressDoesNotGetTheInvitation()
    {
        var token = await InviteAsync("invited@acme.example");
        var client = _app.NewClient();

        var registered = await PostFormAsync(client, "/Account/Register?email=invited%40acme.example", "register", new()
        {
            ["Input.DisplayName"] = "Mallory", ["Input.Email"] = "mallory@evil.example",
            ["Input.Password"] = "A-brand-new-passw0rd", ["Input.ConfirmPassword"] = "A-brand-new-passw0rd",
        });

        Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        await using var db = await _app.DbAsync();
        var mallory = await db.Users.SingleAsync(u => u.Email == "mallory@evil.example");
        Assert.Equal("Mallory", mallory.DisplayName);
        Assert.False(await db.Users.AnyAsync(u => u.Email == "invited@acme.example"));
        await using var scope = _app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, mallory.Id, mallory.Email!);
        var accepted = await scope.ServiceProvider.GetRequiredService<InvitationService>().AcceptAsync(token);
        Assert.Equal(OrgConsole.Common.ErrorKind.Forbidden, accepted.Error?.Kind);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("\"><script>alert(1)</script>@x.example")]
    [InlineData("eli@acme.example\r\nBcc: all@acme.example")]
    [InlineData("not-an-address")]
    public async Task AHostilePrefill_IsDropped_NeverReflected(string hostile)
    {
        var client = _app.NewClient();

        var register = await client.GetStringAsync($"/Account/Register?email={Uri.EscapeDataString(hostile)}");
        var forgot = await client.GetStringAsync($"/Account/ForgotPassword?email={Uri.EscapeDataString(hostile)}");

        Assert.Equal("", InputValue(register, "Input.Email"));
        Assert.Equal("", InputValue(forgot, "Input.Email"));
        Assert.DoesNotContain("<script>alert(1)", register);
    }

    [Fact(Timeout = 60_000)]
    public async Task TheSignInPasswordStep_LinksToForgotPasswordAndRegistration_WithTheTypedAddress()
    {
        var client = _app.NewClient();

        var step = await PostFormAsync(client, "/Account/Login", "login", new() { ["Input.Email"] = "eli@acme.example", ["Input.Stage"] = "email" });
        var page = WebUtility.HtmlDecode(await step.Content.ReadAsStringAsync());

        var forgotLink = Regex.Match(page, "href=\"([^\"]*Account/ForgotPassword[^\"]*)\"").Groups[1].Value;
        Assert.Contains("email=eli%40acme.example", forgotLink);
        Assert.Matches("href=\"[^\"]*Account/Register\\?[^\"]*email=eli%40acme.example", page);
        var forgot = await client.GetStringAsync(new Uri(new Uri("http://localhost/"), forgotLink).PathAndQuery);
        Assert.Equal("eli@acme.example", InputValue(forgot, "Input.Email"));
    }

    [Fact(Timeout = 60_000)]
    public async Task TheResetLink_PrefillsItsAddress_ButTheTokenDecidesWhosePasswordChanges()
    {
        var client = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(client, "/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = "fay@acme.example" })).StatusCode);
        await using var db = await _app.DbAsync();
        var link = new Uri(FirstLink((await db.OutboxEmails.SingleAsync(m => m.To == "fay@acme.example")).HtmlBody));

        var reset = await client.GetStringAsync(link.PathAndQuery);
        Assert.Equal("fay@acme.example", InputValue(reset, "Input.Email"));

        // Fay's token with Eli's address typed in (or put in the link): Eli's password does not change.
        var forged = link.PathAndQuery.Replace("fay%40acme.example", "eli%40acme.example");
        var attempt = await PostFormAsync(client, forged, "reset-password", new()
        {
            ["Input.Email"] = "eli@acme.example", ["Input.Password"] = "Taken-over-passw0rd", ["Input.ConfirmPassword"] = "Taken-over-passw0rd",
            ["Input.Code"] = System.Text.Encoding.UTF8.GetString(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(
                Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query)["code"]!)),
        });
        Assert.Equal(HttpStatusCode.OK, attempt.StatusCode);
        Assert.Contains("Invalid token", await attempt.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(_app.NewClient(), "eli@acme.example", DemoPassword)).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Registration_ReportsEveryProblemAtOnce_AndCreatesNothing()
    {
        var client = _app.NewClient();

        var response = await PostFormAsync(client, "/Account/Register", "register", new()
        {
            ["Input.DisplayName"] = "Eli\tEngineer", ["Input.Email"] = "not-an-address",
            ["Input.Password"] = "short", ["Input.ConfirmPassword"] = "different",
        });
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.True(response.StatusCode == HttpStatusCode.OK, page[..Math.Min(page.Length, 2000)]);
        Assert.Contains("cannot contain control characters", page);
        Assert.Contains("not a valid e-mail address", page);
        Assert.Contains("at least 6", page);
        Assert.Contains("do not match", page);
        await using var db = await _app.DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Email == "not-an-address"));
    }

    private async Task<string> InviteAsync(string email)
    {
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await using var db = await _app.DbAsync();
            var owner = await db.Users.SingleAsync(u => u.Email == "owner@acme.example");
            var acme = await db.Organizations.Where(o => o.Name == DemoSeeder.OrganizationName).Select(o => o.Id).SingleAsync();
            scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, owner.Id, owner.Email!);
            var invited = await scope.ServiceProvider.GetRequiredService<InvitationService>().InviteAsync(acme, new InviteRequest([email], Role.OrgMember));
            Assert.True(invited.IsSuccess, invited.Error?.Message);
        }
        await using var ctx = await _app.DbAsync();
        var mail = await ctx.OutboxEmails.Where(m => m.To == email).OrderByDescending(m => m.CreatedAt).FirstAsync();
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(FirstLink(mail.HtmlBody)).Query)["token"]!;
    }

    /// <summary>The value of the input named <paramref name="name"/> ("" when it has none).</summary>
    private static string InputValue(string page, string name)
    {
        var input = Regex.Match(page, $"<input[^>]*name=\"{Regex.Escape(name)}\"[^>]*>").Value;
        Assert.False(string.IsNullOrEmpty(input), $"no input named {name}");
        return WebUtility.HtmlDecode(Regex.Match(input, "value=\"([^\"]*)\"").Groups[1].Value);
    }
}
