using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Components.Layout;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Components;

/// <summary>
/// The theme toggle is a form post to <see cref="ThemePreference.Path"/> (the app bar holds no circuit): it saves the
/// signed-in person's preference, the page comes back in that theme, and a forged post changes nothing — no
/// antiforgery token, nobody signed in — and no return address takes the browser off the site.
/// </summary>
public sealed class ThemePreferenceTests : IAsyncLifetime
{
    private const string Owner = "owner@acme.example";
    private const string DarkAppBar = "--mud-palette-appbar-background: rgba(18,24,51,1)"; // AppTheme's PaletteDark.AppbarBackground

    private readonly RecordedCommands _commands = new();
    private readonly AppFactory _app;

    public ThemePreferenceTests() =>
        _app = AppFactory.InMemory(services => services.ConfigureDbContext<OrgConsole.Data.ApplicationDbContext>(o => o.AddInterceptors(_commands)));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 120_000)]
    public async Task SignedIn_WithTheToken_SavesTheTheme_AndThePageComesBackInIt()
    {
        var client = await SignedInAsync();
        var members = await MembersPathAsync();
        var page = await client.GetStringAsync(members);
        Assert.Contains("aria-label=\"Switch to dark mode\"", page);
        Assert.DoesNotContain(DarkAppBar, page);

        var response = await PostAsync(client, AccountForms.AntiforgeryToken(page), dark: "true", returnUrl: members.TrimStart('/'));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(members, response.Headers.Location?.OriginalString);
        Assert.True(await PrefersDarkAsync());
        var after = await client.GetStringAsync(members); // the renewed cookie carries the theme: no query per page
        Assert.Contains(DarkAppBar, after);
        Assert.Contains("aria-label=\"Switch to light mode\"", after);
        Assert.Contains($"name=\"{ThemePreference.DarkField}\" value=\"false\"", after);

        var back = await PostAsync(client, AccountForms.AntiforgeryToken(after), dark: "false", returnUrl: members.TrimStart('/'));
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.False(await PrefersDarkAsync());
        Assert.DoesNotContain(DarkAppBar, await client.GetStringAsync(members));
    }

    [Fact(Timeout = 120_000)]
    public async Task APage_TakesTheThemeFromTheSignInCookie_WithoutAQuery()
    {
        var client = await SignedInAsync();
        var members = await MembersPathAsync();
        var page = await client.GetStringAsync(members);
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, AccountForms.AntiforgeryToken(page), dark: "true", returnUrl: "")).StatusCode);

        _commands.Watch();
        var dark = await client.GetStringAsync(members);

        Assert.Contains(DarkAppBar, dark);
        var commands = _commands.Taken();
        Assert.NotEmpty(commands); // the page's own reads are recorded
        Assert.DoesNotContain(commands, sql => sql.Contains("PrefersDarkMode", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task APostWithoutTheAntiforgeryToken_IsRefused_AndChangesNothing()
    {
        var client = await SignedInAsync();

        var response = await PostAsync(client, token: null, dark: "true", returnUrl: "");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(await PrefersDarkAsync());
    }

    [Fact(Timeout = 120_000)]
    public async Task APostFromSomeoneNotSignedIn_IsSentToSignIn_AndChangesNothing()
    {
        var client = _app.NewClient();
        var token = AccountForms.AntiforgeryToken(await client.GetStringAsync("/Account/Login")); // a valid token, of an anonymous session

        var response = await PostAsync(client, token, dark: "true", returnUrl: "");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location?.OriginalString);
        Assert.False(await PrefersDarkAsync());
    }

    [Theory(Timeout = 120_000)]
    [InlineData("https://evil.example/orgs")]
    [InlineData("//evil.example/orgs")]
    [InlineData("/\\evil.example/orgs")]
    [InlineData("\\\\evil.example")]
    [InlineData("/orgs")]
    [InlineData("~//evil.example")]
    [InlineData("javascript:alert(1)")]
    public async Task AReturnAddressOffTheSite_SendsTheBrowserHome(string returnUrl)
    {
        var client = await SignedInAsync();
        var token = AccountForms.AntiforgeryToken(await client.GetStringAsync(await MembersPathAsync()));

        var response = await PostAsync(client, token, dark: "true", returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    private async Task<HttpClient> SignedInAsync()
    {
        var client = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await AccountForms.PostLoginAsync(client, Owner, AccountForms.DemoPassword)).StatusCode);
        return client;
    }

    private async Task<string> MembersPathAsync()
    {
        await using var db = await _app.DbAsync();
        return OrgConsole.Features.Members.MembersRoutes.Members((await db.Organizations.SingleAsync(o => o.Name == "Acme Corp")).Id);
    }

    private async Task<bool> PrefersDarkAsync()
    {
        await using var db = await _app.DbAsync();
        return await db.Users.Where(u => u.Email == Owner).Select(u => u.PrefersDarkMode).SingleAsync();
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string? token, string dark, string returnUrl)
    {
        var fields = new Dictionary<string, string> { [ThemePreference.DarkField] = dark, [ThemePreference.ReturnUrlField] = returnUrl };
        if (token is not null) fields["__RequestVerificationToken"] = token;
        return client.PostAsync(ThemePreference.Path, new FormUrlEncodedContent(fields));
    }
}
