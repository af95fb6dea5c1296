using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;
using OrgConsole.Tests.TestSupport.OidcProvider;

namespace OrgConsole.Tests.Features.Sso;

/// <summary>
/// The whole authorization code flow over HTTP: OrgConsole on Kestrel, a real OpenIddict provider on loopback,
/// an HttpClient as the browser (cookies, redirects followed by hand).
/// </summary>
public sealed partial class SsoSignInFlowTests : IAsyncLifetime
{
    private const string DemoPassword = "OrgConsole-demo-1";
    private readonly CapturingLoggerProvider _logs = new();
    private AppFactory _app = default!;
    private OidcTestProvider _idp = default!;

    public async Task InitializeAsync()
    {
        _idp = await OidcTestProvider.StartAsync();
        _app = AppFactory.OnKestrel(services => services.AddSingleton<ILoggerProvider>(_logs));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _idp.DisposeAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task SignIn_OfAnUnknownPersonThroughTheProvider_CreatesAMemberWithTheDefaultRoleAndSignsThemIn()
    {
        var orgId = await SsoTestSetup.ConnectAcmeAsync(_app, _idp, enforce: false);
        _idp.AutoSignInEmail = "newhire@acme.example";
        var browser = NewBrowser();

        var (landing, trail) = await FollowAsync(browser, new Uri(_app.BaseAddress, "sso/start?email=newhire%40acme.example"));

        Assert.Equal($"/orgs/{orgId}", landing.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
        var authorize = trail.Single(u => u.AbsolutePath == "/connect/authorize");
        Assert.Contains("code_challenge_method=S256", authorize.Query);
        Assert.Contains("nonce=", authorize.Query);
        Assert.Contains("state=", authorize.Query);
        await using var db = await DbAsync();
        var user = await db.Users.SingleAsync(u => u.NormalizedEmail == "NEWHIRE@ACME.EXAMPLE");
        Assert.True(user.EmailConfirmed);
        Assert.Equal(Role.OrgMember, await db.RoleAssignments.Where(r => r.OrganizationId == orgId && r.ProjectId == null && r.PrincipalId == user.Id).Select(r => r.Role).SingleAsync());
        Assert.Contains(await db.AuditEvents.Where(e => e.OrganizationId == orgId && e.Action == "auth.signed_in").ToListAsync(),
            e => e.ActorId == user.Id && e.After!.Contains("\"method\":\"sso\""));
        // The Identity cookie is set: the organization's pages open for the new member.
        Assert.Contains("Acme Corp", await browser.GetStringAsync(new Uri(_app.BaseAddress, $"orgs/{orgId}/settings")));
    }

    [Fact(Timeout = 120_000)]
    public async Task SignIn_OfTheOnlyOwnerThroughTheProvider_KeepsThemOwner()
    {
        var orgId = await SsoTestSetup.ConnectAcmeAsync(_app, _idp, enforce: true);
        _idp.AutoSignInEmail = "owner@acme.example";

        var (landing, _) = await FollowAsync(NewBrowser(), new Uri(_app.BaseAddress, "sso/start?email=owner%40acme.example"));

        Assert.Equal($"/orgs/{orgId}", landing.RequestMessage!.RequestUri!.AbsolutePath);
        await using var db = await DbAsync();
        var owners = await db.RoleAssignments.Where(r => r.OrganizationId == orgId && r.ProjectId == null && r.Role == Role.OrgOwner)
            .Select(r => r.PrincipalEmail).ToListAsync();
        Assert.Equal(["owner@acme.example"], owners);
    }

    [Fact(Timeout = 120_000)]
    public async Task Callback_WithAStateThatIsNotTheBrowsers_SignsNobodyIn()
    {
        await SsoTestSetup.ConnectAcmeAsync(_app, _idp, enforce: false);
        _idp.AutoSignInEmail = "intruder@acme.example";
        var browser = NewBrowser();
        var toProvider = await browser.GetAsync(new Uri(_app.BaseAddress, "sso/start?email=intruder%40acme.example"));
        var toCallback = await browser.GetAsync(toProvider.Headers.Location!);
        var callback = toCallback.Headers.Location!.ToString();
        Assert.Contains("/sso/callback/", callback);

        var forged = Regex.Replace(callback, "state=[^&]+", "state=forged");
        var (landing, _) = await FollowAsync(browser, new Uri(forged));

        Assert.Contains("sso_error=flowexpired", landing.RequestMessage!.RequestUri!.Query);
        Assert.Contains("came from another browser window", await landing.Content.ReadAsStringAsync());
        await using var db = await DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.NormalizedEmail == "INTRUDER@ACME.EXAMPLE"));
    }

    [Fact(Timeout = 120_000)]
    public async Task SignIn_WhenTheProviderVouchesForAnEmailOutsideTheDomains_IsRefused()
    {
        await SsoTestSetup.ConnectAcmeAsync(_app, _idp, enforce: false);
        _idp.AutoSignInEmail = "someone@elsewhere.example";

        var (landing, _) = await FollowAsync(NewBrowser(), new Uri(_app.BaseAddress, "sso/start?email=eli%40acme.example"));

        Assert.Contains("sso_error=emailnotcovered", landing.RequestMessage!.RequestUri!.Query);
        await using var db = await DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.NormalizedEmail == "SOMEONE@ELSEWHERE.EXAMPLE"));
    }

    [Fact(Timeout = 120_000)]
    public async Task PasswordSignIn_WhenTheOrganizationEnforcesSso_IsRefusedEvenForADirectPostOfTheForm()
    {
        var orgId = await SsoTestSetup.ConnectAcmeAsync(_app, _idp, enforce: true);
        var browser = NewBrowser();

        var response = await PostLoginAsync(browser, "eli@acme.example", DemoPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the form again, not a redirect into the console
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("requires single sign-on for acme.example addresses", page);
        Assert.Contains("Continue with SSO", page);
        Assert.DoesNotContain(browser.Handler.CookieContainer.GetAllCookies(), c => c.Name.Contains("Identity.Application"));
        await using var db = await DbAsync();
        Assert.Contains(await db.AuditEvents.Where(e => e.OrganizationId == orgId && e.Action == "auth.sign_in_failed").ToListAsync(),
            e => e.After!.Contains("requires single sign-on"));

        // Another organization's people, and Acme once enforcement is off, still use passwords.
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(NewBrowser(), "support@orgconsole.example", DemoPassword)).StatusCode);
        await SsoTestSetup.ConnectAcmeAsync(_app, _idp, enforce: false);
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(NewBrowser(), "eli@acme.example", DemoPassword)).StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task TheEmailStep_ForAnEnforcedDomain_OffersOnlyTheProvider_AndOtherDomainsGetThePasswordField()
    {
        await SsoTestSetup.ConnectAcmeAsync(_app, _idp, enforce: true);

        var enforced = await PostFormAsync(NewBrowser(), "/Account/Login", "login", new() { ["Input.Email"] = "eli@acme.example", ["Input.Stage"] = "email" });
        var elsewhere = await PostFormAsync(NewBrowser(), "/Account/Login", "login", new() { ["Input.Email"] = "someone@other.example", ["Input.Stage"] = "email" });

        var enforcedPage = await enforced.Content.ReadAsStringAsync();
        Assert.Contains("href=\"/sso/start?email=eli%40acme.example\"", enforcedPage);
        Assert.DoesNotContain("id=\"Input.Password\"", enforcedPage);
        var page = await elsewhere.Content.ReadAsStringAsync();
        Assert.Contains("id=\"Input.Password\"", page);
        Assert.DoesNotContain("Continue with SSO", page);
    }

    [Fact(Timeout = 120_000)]
    public async Task SignIn_ThroughAProviderThatSendsTheEmailOnlyFromUserInfo_Works()
    {
        await using var userInfoOnly = await OidcTestProvider.StartAsync(emailOnlyFromUserInfo: true);
        var orgId = await SsoTestSetup.ConnectAcmeAsync(_app, userInfoOnly, enforce: false);
        userInfoOnly.AutoSignInEmail = "newhire@acme.example";

        var (landing, _) = await FollowAsync(NewBrowser(), new Uri(_app.BaseAddress, "sso/start?email=newhire%40acme.example"));

        Assert.Equal($"/orgs/{orgId}", landing.RequestMessage!.RequestUri!.AbsolutePath);
        await using var db = await DbAsync();
        var user = await db.Users.SingleAsync(u => u.NormalizedEmail == "NEWHIRE@ACME.EXAMPLE");
        Assert.Equal("SSO newhire", user.DisplayName);
        var login = await db.UserLogins.SingleAsync(l => l.UserId == user.Id);
        Assert.Equal("sub-newhire@acme.example", login.ProviderKey);
        Assert.Equal(userInfoOnly.Issuer.AbsoluteUri, login.ProviderDisplayName);
    }

    [Fact(Timeout = 120_000)]
    public async Task SignIn_LinksByIssuerAndSubject_SoAReassignedAddressDoesNotInheritTheAccount()
    {
        var orgId = await SsoTestSetup.ConnectAcmeAsync(_app, _idp, enforce: false);
        _idp.AutoSignInEmail = "eli@acme.example";
        _idp.SubjectOf = _ => "employee-1001";

        // First sign-in: links the existing account of eli@acme.example (verified domain, email verified).
        var (first, _) = await FollowAsync(NewBrowser(), new Uri(_app.BaseAddress, "sso/start?email=eli%40acme.example"));
        Assert.Equal($"/orgs/{orgId}", first.RequestMessage!.RequestUri!.AbsolutePath);
        await using (var db = await DbAsync())
        {
            var eli = await db.Users.SingleAsync(u => u.NormalizedEmail == "ELI@ACME.EXAMPLE");
            Assert.Equal("employee-1001", (await db.UserLogins.SingleAsync(l => l.UserId == eli.Id)).ProviderKey);
        }

        // Later the same person's address changes at the provider: still their account, found by subject.
        _idp.AutoSignInEmail = "eli.renamed@acme.example";
        var (renamed, _) = await FollowAsync(NewBrowser(), new Uri(_app.BaseAddress, "sso/start?email=eli%40acme.example"));
        Assert.Equal($"/orgs/{orgId}", renamed.RequestMessage!.RequestUri!.AbsolutePath);

        // The old address goes to someone else (another subject): never signed in as Eli by email.
        _idp.AutoSignInEmail = "eli@acme.example";
        _idp.SubjectOf = _ => "employee-2002";
        var browser = NewBrowser();
        var (reassigned, _) = await FollowAsync(browser, new Uri(_app.BaseAddress, "sso/start?email=eli%40acme.example"));
        Assert.Contains("sso_error=alreadylinked", reassigned.RequestMessage!.RequestUri!.Query);
        Assert.DoesNotContain(browser.Handler.CookieContainer.GetAllCookies(), c => c.Name.Contains("Identity.Application"));
        await using var after = await DbAsync();
        Assert.False(await after.UserLogins.AnyAsync(l => l.ProviderKey == "employee-2002"));
        Assert.False(await after.Users.AnyAsync(u => u.NormalizedEmail == "ELI.RENAMED@ACME.EXAMPLE"));
    }

    [Fact(Timeout = 120_000)]
    public async Task SignIn_WithEmailVerifiedFalse_DoesNotLinkAnExistingAccount()
    {
        await SsoTestSetup.ConnectAcmeAsync(_app, _idp, enforce: false);
        _idp.AutoSignInEmail = "eli@acme.example";
        _idp.EmailVerified = false;
        var browser = NewBrowser();

        var (landing, _) = await FollowAsync(browser, new Uri(_app.BaseAddress, "sso/start?email=eli%40acme.example"));

        Assert.Contains("sso_error=emailnotverified", landing.RequestMessage!.RequestUri!.Query);
        Assert.Contains("not verified", await landing.Content.ReadAsStringAsync());
        Assert.DoesNotContain(browser.Handler.CookieContainer.GetAllCookies(), c => c.Name.Contains("Identity.Application"));
        await using var db = await DbAsync();
        Assert.False(await db.UserLogins.AnyAsync());
    }

    [Fact(Timeout = 120_000)]
    public async Task SignIn_WhenTheProviderRejectsOurClientSecret_TellsThePersonClearly_AndSignsNobodyIn()
    {
        var orgId = await SsoTestSetup.ConnectAcmeAsync(_app, _idp, enforce: false);
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = await OwnerActorAsync();
            var saved = await scope.ServiceProvider.GetRequiredService<OrgConsole.Features.Sso.SsoService>().SaveAsync(orgId,
                new OrgConsole.Features.Sso.SsoSettingsInput(_idp.Issuer.AbsoluteUri, OidcTestProvider.ClientId, "a-wrong-client-secret", "acme.example", Role.OrgMember, false));
            Assert.True(saved.IsSuccess, saved.Error?.Message);
        }
        _idp.AutoSignInEmail = "newhire@acme.example";
        var browser = NewBrowser();

        var (landing, trail) = await FollowAsync(browser, new Uri(_app.BaseAddress, "sso/start?email=newhire%40acme.example"));

        Assert.Contains(trail, u => u.AbsolutePath == $"/sso/callback/{orgId}"); // the new secret is used at once
        Assert.Contains("sso_error=providerrefused", landing.RequestMessage!.RequestUri!.Query);
        Assert.Contains("did not sign you in", await landing.Content.ReadAsStringAsync());
        Assert.DoesNotContain(browser.Handler.CookieContainer.GetAllCookies(), c => c.Name.Contains("Identity.Application"));
        await using var db = await DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.NormalizedEmail == "NEWHIRE@ACME.EXAMPLE"));
        // The person reads plain words; the operator's log has the provider's own reason and which organization it was.
        var logged = Assert.Single(_logs.Entries, e => e.Category == typeof(OrgConsole.Features.Sso.SsoOidcEvents).FullName && e.Level == LogLevel.Warning);
        Assert.Equal(orgId.ToString(), logged.State["OrganizationId"]);
        Assert.Equal(OrgConsole.Features.Sso.SsoFailure.ProviderRefused, logged.State["Failure"]);
        Assert.Contains("invalid_client", (string)logged.State["Reason"]!);
        Assert.NotNull(logged.Exception);
    }

    private async Task<Actor> OwnerActorAsync()
    {
        await using var db = await DbAsync();
        var owner = await db.Users.SingleAsync(u => u.Email == "owner@acme.example");
        return new Actor(OrgConsole.Access.ActorType.User, owner.Id, owner.Email!);
    }

    [Fact(Timeout = 120_000)]
    public async Task Start_ForAClaimedButUnverifiedDomain_RoutesNowhere_AndPasswordsStillWork()
    {
        var orgId = await SsoTestSetup.UpgradeAcmeToEnterpriseAsync(_app);
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
            var owner = await db.Users.SingleAsync(u => u.Email == "owner@acme.example");
            scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(OrgConsole.Access.ActorType.User, owner.Id, owner.Email!);
            var saved = await scope.ServiceProvider.GetRequiredService<OrgConsole.Features.Sso.SsoService>().SaveAsync(orgId,
                new OrgConsole.Features.Sso.SsoSettingsInput(_idp.Issuer.AbsoluteUri, OidcTestProvider.ClientId, OidcTestProvider.ClientSecret, "acme.example", Role.OrgMember, true));
            Assert.True(saved.IsSuccess, saved.Error?.Message);
        }
        _idp.AutoSignInEmail = "eli@acme.example";

        var (landing, trail) = await FollowAsync(NewBrowser(), new Uri(_app.BaseAddress, "sso/start?email=eli%40acme.example"));

        Assert.Contains("sso_error=notconfigured", landing.RequestMessage!.RequestUri!.Query);
        Assert.DoesNotContain(trail, u => u.AbsolutePath == "/connect/authorize");
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(NewBrowser(), "eli@acme.example", DemoPassword)).StatusCode);
    }

    [Fact(Timeout = 180_000)]
    public async Task BreakGlass_UnderEnforcement_AnOwnerWith2faSignsInWithPasswordAndCode_AuditedAndEmailedToTheOtherOwners_NobodyElse()
    {
        var orgId = await SsoTestSetup.ConnectAcmeAsync(_app, _idp, enforce: true);
        var ownerKey = await EnableTwoFactorAsync("owner@acme.example");
        await EnableTwoFactorAsync("eli@acme.example");
        await using (var db = await DbAsync())
        {
            var fay = await db.Users.SingleAsync(u => u.Email == "fay@acme.example");
            await db.RoleAssignments.Where(r => r.OrganizationId == orgId && r.ProjectId == null && r.PrincipalId == fay.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Role, Role.OrgOwner));
        }

        // The sign-in page offers the break-glass path under enforcement, and it shows the password field.
        var offered = await (await PostFormAsync(NewBrowser(), "/Account/Login", "login", new() { ["Input.Email"] = "owner@acme.example", ["Input.Stage"] = "email" })).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"break-glass\"", offered);
        Assert.DoesNotContain("id=\"Input.Password\"", offered);
        var asked = await (await PostFormAsync(NewBrowser(), "/Account/Login", "login",
            new() { ["Input.Email"] = "owner@acme.example", ["Input.Stage"] = "password", ["Input.BreakGlass"] = "true" })).Content.ReadAsStringAsync();
        Assert.Contains("id=\"Input.Password\"", asked);

        // The owner with 2FA: password, then the second factor.
        var browser = NewBrowser();
        var afterPassword = await PostLoginAsync(browser, "owner@acme.example", DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, afterPassword.StatusCode);
        Assert.Contains("Account/LoginWith2fa", afterPassword.Headers.Location!.ToString());
        Assert.DoesNotContain(browser.Handler.CookieContainer.GetAllCookies(), c => c.Name.Contains("Identity.Application"));
        var afterCode = await PostFormAsync(browser, "/Account/LoginWith2fa", "login-with-2fa", new() { ["Input.TwoFactorCode"] = Totp.Code(ownerKey, DateTimeOffset.UtcNow) });
        Assert.Equal(HttpStatusCode.Redirect, afterCode.StatusCode);
        Assert.DoesNotContain("Account/", afterCode.Headers.Location!.ToString());
        Assert.Contains(browser.Handler.CookieContainer.GetAllCookies(), c => c.Name.Contains("Identity.Application"));

        await using (var db = await DbAsync())
        {
            var breakGlass = Assert.Single(await db.AuditEvents.Where(e => e.OrganizationId == orgId && e.Action == "auth.break_glass").ToListAsync());
            Assert.Equal("owner@acme.example", breakGlass.ActorName);
            var mail = Assert.Single(await db.OutboxEmails.Where(m => m.Subject.StartsWith("Break-glass")).ToListAsync());
            Assert.Equal("fay@acme.example", mail.To);
        }

        // A member with 2FA, and an owner without it, get "requires single sign-on" — no second step.
        foreach (var email in new[] { "eli@acme.example", "fay@acme.example" })
        {
            var refused = await PostLoginAsync(NewBrowser(), email, DemoPassword);
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("requires single sign-on for acme.example addresses", await refused.Content.ReadAsStringAsync());
        }
    }

    private async Task<string> EnableTwoFactorAsync(string email)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<ApplicationUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        await users.ResetAuthenticatorKeyAsync(user);
        await users.SetTwoFactorEnabledAsync(user, true);
        return (await users.GetAuthenticatorKeyAsync(user))!;
    }

    private sealed class Browser(HttpClientHandler handler) : HttpClient(handler)
    {
        public HttpClientHandler Handler { get; } = handler;
    }

    private static Browser NewBrowser() => new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true });

    /// <summary>Follows redirects across both servers, as a browser does; returns the last response and every URL visited.</summary>
    private static async Task<(HttpResponseMessage Last, List<Uri> Trail)> FollowAsync(HttpClient client, Uri start)
    {
        var trail = new List<Uri> { start };
        var response = await client.GetAsync(start);
        for (var hops = 0; hops < 10 && response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther; hops++)
        {
            var next = new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location!);
            trail.Add(next);
            response = await client.GetAsync(next);
        }
        return (response, trail);
    }

    private Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password) =>
        PostFormAsync(client, "/Account/Login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password, ["Input.RememberMe"] = "false" });

    private async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string formName, Dictionary<string, string> fields)
    {
        var url = new Uri(_app.BaseAddress, path.TrimStart('/'));
        var page = await client.GetStringAsync(url);
        fields["_handler"] = formName;
        fields["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value;
        return await client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    private async Task<ApplicationDbContext> DbAsync() =>
        await _app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
