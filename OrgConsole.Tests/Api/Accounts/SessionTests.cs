using System.Net;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Tests.TestSupport;
using static OrgConsole.Tests.TestSupport.AccountForms;

namespace OrgConsole.Tests.Api.Accounts;

/// <summary>
/// A password change or reset, or a 2FA change, ends the account's other sessions at their next request (SPEC §10);
/// the session that made the change carries on. The revalidation interval is zero here: every request checks.
/// </summary>
public sealed class SessionTests : IAsyncLifetime
{
    private const string Eli = "eli@acme.example";
    private const string NewPassword = "A-brand-new-passw0rd";
    private readonly AppFactory _app = AppFactory.InMemory(new Dictionary<string, string> { ["Security:SessionRevalidationInterval"] = "00:00:00" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task ChangingThePassword_SignsOutTheOtherSessions_NotThisOne()
    {
        var (a, b) = (await SignedInAsync(), await SignedInAsync());
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/Account/Manage")).StatusCode);

        var changed = await PostFormAsync(b, "/Account/Manage/ChangePassword", "change-password", new()
        {
            ["Input.OldPassword"] = DemoPassword, ["Input.NewPassword"] = NewPassword, ["Input.ConfirmPassword"] = NewPassword,
        });

        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        await AssertSignedOutAsync(a);
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync("/Account/Manage")).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task ResettingThePassword_SignsOutEverySession()
    {
        var a = await SignedInAsync();
        var stranger = _app.NewClient();
        await PostFormAsync(stranger, "/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = Eli });
        await using var db = await _app.DbAsync();
        var link = new Uri(FirstLink((await db.OutboxEmails.SingleAsync(m => m.To == Eli)).HtmlBody));
        var page = await stranger.GetStringAsync(link.PathAndQuery);
        var code = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"Input.Code\" value=\"([^\"]+)\"").Groups[1].Value);

        var reset = await PostFormAsync(stranger, link.PathAndQuery, "reset-password", new()
        {
            ["Input.Code"] = code, ["Input.Email"] = Eli, ["Input.Password"] = NewPassword, ["Input.ConfirmPassword"] = NewPassword,
        });

        Assert.Contains("ResetPasswordConfirmation", reset.Headers.Location!.ToString());
        await AssertSignedOutAsync(a);
    }

    [Fact(Timeout = 60_000)]
    public async Task EnablingTwoFactor_SignsOutTheOtherSessions_NotThisOne()
    {
        var b = await SignedInAsync();
        var page = await b.GetStringAsync("/Account/Manage/EnableAuthenticator"); // creates the key, which renews the stamp
        var key = System.Text.RegularExpressions.Regex.Match(page, "<kbd>([^<]+)</kbd>").Groups[1].Value.Replace(" ", "").ToUpperInvariant();
        var a = await SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/Account/Manage")).StatusCode);

        var enabled = await PostFormAsync(b, "/Account/Manage/EnableAuthenticator", "send-code", new() { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });

        Assert.Contains("recovery", (await enabled.Content.ReadAsStringAsync()).ToLowerInvariant());
        await AssertSignedOutAsync(a);
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync("/Account/Manage")).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeletingTheAccount_EndsItsOtherSessions_AndItsMemberships()
    {
        var (a, b) = (await SignedInAsync(), await SignedInAsync());

        var deleted = await PostFormAsync(b, "/Account/Manage/DeletePersonalData", "delete-user", new() { ["Input.Password"] = DemoPassword });

        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        await AssertSignedOutAsync(a);
        await AssertSignedOutAsync(b);
        await using var db = await _app.DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Email == Eli));
        Assert.False(await db.RoleAssignments.AnyAsync(r => r.PrincipalEmail == Eli));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "account.deleted" && e.ActorName == Eli));
    }

    [Fact(Timeout = 60_000)]
    public async Task DeletingTheAccount_OfTheOnlyOwner_IsRefusedOnThePage_AndTheSessionGoesOn()
    {
        var owner = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(owner, "owner@acme.example", DemoPassword)).StatusCode);

        var refused = await PostFormAsync(owner, "/Account/Manage/DeletePersonalData", "delete-user", new() { ["Input.Password"] = DemoPassword });

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Promote another member to Owner", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/Account/Manage")).StatusCode);
    }

    private async Task<HttpClient> SignedInAsync()
    {
        var client = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(client, Eli, DemoPassword)).StatusCode);
        return client;
    }

    private static async Task AssertSignedOutAsync(HttpClient client)
    {
        var response = await client.GetAsync("/Account/Manage");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("Account/Login", response.Headers.Location!.ToString());
    }
}
