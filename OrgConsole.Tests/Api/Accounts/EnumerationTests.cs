using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;
using static OrgConsole.Tests.TestSupport.AccountForms;

namespace OrgConsole.Tests.Api.Accounts;

/// <summary>Registration, sign-in and password reset answer alike whether or not an address has an account (SPEC §10).</summary>
public sealed class EnumerationTests : IAsyncLifetime
{
    private readonly CountingPasswordHasher _hasher = new();
    private readonly AppFactory _app;

    public EnumerationTests() => _app = AppFactory.InMemory(services => services.AddSingleton<IPasswordHasher<ApplicationUser>>(_hasher));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task Registering_ATakenEmail_AnswersAsForANewOne_AndTellsTheOwnerByEmail()
    {
        var taken = await RegisterAsync("eli@acme.example");
        var fresh = await RegisterAsync("fresh@else.example");

        Assert.Equal(HttpStatusCode.Redirect, taken.StatusCode);
        Assert.Equal(fresh.StatusCode, taken.StatusCode);
        Assert.Equal(fresh.Headers.Location!.ToString().Replace("fresh%40else.example", "X"), taken.Headers.Location!.ToString().Replace("eli%40acme.example", "X"));
        var takenPage = await _app.NewClient().GetAsync(taken.Headers.Location);
        var freshPage = await _app.NewClient().GetAsync(fresh.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, takenPage.StatusCode);
        Assert.Equal(WithoutTokens(await freshPage.Content.ReadAsStringAsync()).Replace("fresh@else.example", "X"), WithoutTokens(await takenPage.Content.ReadAsStringAsync()).Replace("eli@acme.example", "X"));

        await using var db = await _app.DbAsync();
        Assert.Equal(1, await db.Users.CountAsync(u => u.NormalizedEmail == "ELI@ACME.EXAMPLE"));
        var notice = await db.OutboxEmails.SingleAsync(m => m.To == "eli@acme.example");
        Assert.Equal("You already have an OrgConsole account", notice.Subject);
        Assert.Contains("Account/ForgotPassword", notice.HtmlBody);
        Assert.Contains("Confirm your email", (await db.OutboxEmails.SingleAsync(m => m.To == "fresh@else.example")).Subject);
    }

    [Fact(Timeout = 60_000)]
    public async Task TheRegistrationConfirmationPage_SaysTheSame_ForAnyAddress()
    {
        var unknown = await _app.NewClient().GetAsync("/Account/RegisterConfirmation?email=nobody%40nowhere.example");

        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Contains("We sent an email to", await unknown.Content.ReadAsStringAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ForgotPassword_AnswersTheSame_ForKnownAndUnknownEmails()
    {
        var known = await PostFormAsync(_app.NewClient(), "/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = "eli@acme.example" });
        var unknown = await PostFormAsync(_app.NewClient(), "/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = "nobody@nowhere.example" });

        Assert.Equal(HttpStatusCode.Redirect, known.StatusCode);
        Assert.Equal(known.StatusCode, unknown.StatusCode);
        Assert.Equal(known.Headers.Location, unknown.Headers.Location);
    }

    [Fact(Timeout = 60_000)]
    public async Task SigningIn_WithAnUnknownEmail_HashesAPassword_AsAWrongPasswordDoes()
    {
        await PostLoginAsync(_app.NewClient(), "eli@acme.example", "not-the-password"); // warms up the dummy hash

        var before = _hasher.Verifications;
        var unknown = await PostLoginAsync(_app.NewClient(), "nobody@nowhere.example", "whatever");
        var forUnknown = _hasher.Verifications - before;
        before = _hasher.Verifications;
        var wrong = await PostLoginAsync(_app.NewClient(), "eli@acme.example", "not-the-password");
        var forWrong = _hasher.Verifications - before;

        Assert.Equal(1, forWrong);
        Assert.Equal(forWrong, forUnknown);
        Assert.Contains("Invalid login attempt", await unknown.Content.ReadAsStringAsync());
        Assert.Contains("Invalid login attempt", await wrong.Content.ReadAsStringAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task AnUnconfirmedAccount_WithTheRightPassword_IsToldToConfirm_WithAResendLink_ButAWrongPasswordIsJustInvalid()
    {
        await RegisterAsync("pending@else.example");

        var right = await (await PostLoginAsync(_app.NewClient(), "pending@else.example", "A-brand-new-passw0rd")).Content.ReadAsStringAsync();
        var wrong = await (await PostLoginAsync(_app.NewClient(), "pending@else.example", "Not-the-passw0rd")).Content.ReadAsStringAsync();

        Assert.Contains("data-testid=\"confirm-email-first\"", right);
        Assert.Contains("Confirm your email address before signing in", right);
        Assert.DoesNotContain("Invalid login attempt", right);
        Assert.Contains("Invalid login attempt", wrong);
        Assert.DoesNotContain("confirm-email-first", wrong);
    }

    private static string WithoutTokens(string page) => System.Text.RegularExpressions.Regex.Replace(page, "CfDJ8[A-Za-z0-9_\\-/+=]+", ""); // antiforgery tokens, component descriptors

    private Task<HttpResponseMessage> RegisterAsync(string email) => PostFormAsync(_app.NewClient(), "/Account/Register", "register", new()
    {
        ["Input.Email"] = email, ["Input.Password"] = "A-brand-new-passw0rd", ["Input.ConfirmPassword"] = "A-brand-new-passw0rd",
    });

    /// <summary>Identity's own hasher, counting how often a password is checked.</summary>
    private sealed class CountingPasswordHasher : IPasswordHasher<ApplicationUser>
    {
        private readonly PasswordHasher<ApplicationUser> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(ApplicationUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
