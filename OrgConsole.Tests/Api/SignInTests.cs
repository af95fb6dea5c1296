using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

/// <summary>Sign-in through the real login form over HTTP: audit events, lockout, demo accounts, headers.</summary>
public partial class SignInTests : IAsyncLifetime
{
    private const string DemoPassword = "OrgConsole-demo-1";
    private readonly AppFactory _app = AppFactory.InMemory();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task ASignIn_AndAFailedSignIn_AreAudited()
    {
        var client = NewClient();

        var failed = await PostLoginAsync(client, "owner@acme.example", "wrong-password");
        var ok = await PostLoginAsync(client, "owner@acme.example", DemoPassword);
        var unknown = await PostLoginAsync(NewClient(), "nobody@nowhere.example", "whatever");

        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        Assert.Contains("Invalid login attempt", await failed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);

        await using var db = await DbAsync();
        var owner = await db.Users.SingleAsync(u => u.Email == "owner@acme.example");
        var acme = await db.Organizations.SingleAsync(o => o.Name == DemoSeeder.OrganizationName);
        var events = await db.AuditEvents.Where(e => e.OrganizationId == acme.Id && e.Action.StartsWith("auth.")).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(["auth.sign_in_failed", "auth.signed_in"], events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal(owner.Id, e.ActorId));
        Assert.Contains("wrong credentials", events[0].After);
        var anonymous = await db.AuditEvents.SingleAsync(e => e.ChainKey == AuditLog.PlatformChain && e.Action == "auth.sign_in_failed");
        Assert.Equal(ActorType.Anonymous, anonymous.ActorType);
        Assert.Contains("nobody@nowhere.example", anonymous.After);
    }

    [Fact(Timeout = 60_000)]
    public async Task TheDemoSeed_CreatesTheDocumentedAccounts_WithSupportAsAPlatformRole()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        foreach (var account in DemoSeeder.Accounts)
        {
            var user = await users.FindByEmailAsync(account.Email);
            Assert.NotNull(user);
            Assert.True(await users.CheckPasswordAsync(user, DemoPassword));
        }
        Assert.True(await users.IsInRoleAsync((await users.FindByEmailAsync("support@orgconsole.example"))!, PlatformRoles.Support));
        Assert.False(await users.IsInRoleAsync((await users.FindByEmailAsync("owner@acme.example"))!, PlatformRoles.Support));
        await using var db = await DbAsync();
        var roles = await db.RoleAssignments.Where(r => r.ProjectId == null).Join(db.Users, r => r.PrincipalId, u => u.Id, (r, u) => new { u.Email, r.Role }).ToListAsync();
        Assert.Contains(roles, r => r.Email == "owner@acme.example" && r.Role == Role.OrgOwner);
        Assert.Contains(roles, r => r.Email == "user@acme.example" && r.Role == Role.OrgMember);
        Assert.Contains(roles, r => r.Email == "billing@acme.example" && r.Role == Role.OrgBillingAdmin);
        Assert.DoesNotContain(roles, r => r.Email == "support@orgconsole.example");
    }

    [Fact(Timeout = 60_000)]
    public async Task Pages_CarrySecurityHeaders()
    {
        var response = await NewClient().GetAsync("/Account/Login");

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
    }

    [Fact(Timeout = 60_000)]
    public async Task TheLoginForm_RefusesAPostWithoutAntiforgeryToken()
    {
        var client = NewClient();
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Email"] = "owner@acme.example", ["Input.Password"] = DemoPassword,
        });

        var response = await client.PostAsync("/Account/Login", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task AnOrganizationPage_OpensForMembers_AndIsNotFoundForOthers()
    {
        await using var db = await DbAsync();
        var acme = await db.Organizations.SingleAsync(o => o.Name == DemoSeeder.OrganizationName);
        var member = NewClient();
        var outsider = NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(member, "eli@acme.example", DemoPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(outsider, "support@orgconsole.example", DemoPassword)).StatusCode);

        var asMember = await member.GetStringAsync($"/orgs/{acme.Id}/settings");
        var outsiderResponse = await outsider.GetAsync($"/orgs/{acme.Id}/settings");
        var asOutsider = await outsiderResponse.Content.ReadAsStringAsync();
        var anonymous = await NewClient().GetAsync($"/orgs/{acme.Id}/settings");

        Assert.Contains("Organization settings", asMember);
        Assert.Equal(HttpStatusCode.NotFound, outsiderResponse.StatusCode);
        Assert.DoesNotContain("Organization settings", asOutsider);
        Assert.Contains("Not found", asOutsider);
        Assert.DoesNotContain(DemoSeeder.OrganizationName, asOutsider);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("Account/Login", anonymous.Headers.Location!.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task AuthenticatorApp2fa_IsAskedForAfterThePassword_AndItsSignInIsAudited()
    {
        string key;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var dana = (await users.FindByEmailAsync("dana@acme.example"))!;
            await users.ResetAuthenticatorKeyAsync(dana);
            key = (await users.GetAuthenticatorKeyAsync(dana))!;
            await users.SetTwoFactorEnabledAsync(dana, true);
        }
        var client = NewClient();

        var afterPassword = await PostLoginAsync(client, "dana@acme.example", DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, afterPassword.StatusCode);
        Assert.Contains("Account/LoginWith2fa", afterPassword.Headers.Location!.ToString());

        var wrongCode = await PostFormAsync(client, "/Account/LoginWith2fa", "login-with-2fa", new() { ["Input.TwoFactorCode"] = "000000" });
        Assert.Equal(HttpStatusCode.OK, wrongCode.StatusCode);
        var rightCode = await PostFormAsync(client, "/Account/LoginWith2fa", "login-with-2fa", new() { ["Input.TwoFactorCode"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        Assert.Equal(HttpStatusCode.Redirect, rightCode.StatusCode);
        Assert.DoesNotContain("Account/", rightCode.Headers.Location!.ToString());

        await using var db = await DbAsync();
        var events = await db.AuditEvents.Where(e => e.ActorName == "dana@acme.example" && e.Action.StartsWith("auth.")).Select(e => new { e.Action, e.After }).ToListAsync();
        Assert.Contains(events, e => e.Action == "auth.sign_in_failed" && e.After!.Contains("authenticator app"));
        Assert.Contains(events, e => e.Action == "auth.signed_in" && e.After!.Contains("authenticator app"));
        Assert.DoesNotContain(events, e => e.Action == "auth.signed_in" && e.After!.Contains("password"));
    }

    [Fact(Timeout = 60_000)]
    public async Task PasswordReset_GoesThroughTheEmailSender_AndItsLinkSetsANewPassword()
    {
        var client = NewClient();
        var requested = await PostFormAsync(client, "/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = "fay@acme.example" });
        Assert.Equal(HttpStatusCode.Redirect, requested.StatusCode);

        await using var db = await DbAsync();
        var mail = await db.OutboxEmails.SingleAsync(m => m.To == "fay@acme.example");
        Assert.Equal("Reset your OrgConsole password", mail.Subject);
        var link = WebUtility.HtmlDecode(Regex.Match(mail.HtmlBody, "href=\"([^\"]+)\"").Groups[1].Value);
        var resetPage = await client.GetStringAsync(new Uri(link).PathAndQuery);
        var code = WebUtility.HtmlDecode(Regex.Match(resetPage, "name=\"Input.Code\" value=\"([^\"]+)\"").Groups[1].Value);

        var reset = await PostFormAsync(client, new Uri(link).PathAndQuery, "reset-password", new()
        {
            ["Input.Code"] = code, ["Input.Email"] = "fay@acme.example",
            ["Input.Password"] = "A-brand-new-passw0rd", ["Input.ConfirmPassword"] = "A-brand-new-passw0rd",
        });

        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.Contains("ResetPasswordConfirmation", reset.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await PostLoginAsync(NewClient(), "fay@acme.example", DemoPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(NewClient(), "fay@acme.example", "A-brand-new-passw0rd")).StatusCode);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("evil\u0007bell@fresh.example")]
    [InlineData("evil\u0085@fresh.example")]
    public async Task Registering_WithAControlCharacterInTheEmail_IsRefusedWithAClearMessage(string email)
    {
        // (A NUL in a posted form never reaches the page: the form is refused as a bad request before it, which is also fine.)
        var response = await PostFormAsync(NewClient(), "/Account/Register", "register", new()
        {
            ["Input.Email"] = email, ["Input.Password"] = "A-brand-new-passw0rd", ["Input.ConfirmPassword"] = "A-brand-new-passw0rd",
        });

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode} {text} {string.Join(",", response.Headers.Select(h => h.Key + "=" + string.Join(";", h.Value)))}");
        Assert.Contains("cannot contain control characters", WebUtility.HtmlDecode(text));
        await using var db = await DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Email!.StartsWith("evil")));
    }

    private HttpClient NewClient() => _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private async Task<ApplicationDbContext> DbAsync() =>
        await _app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();

    private static Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password) =>
        PostFormAsync(client, "/Account/Login", "login", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.RememberMe"] = "false",
        });

    /// <summary>Loads a statically rendered form page, then posts it with its antiforgery token, as a browser would.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string formName, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        fields["_handler"] = formName;
        fields["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value;
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
