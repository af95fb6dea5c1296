using System.Net;
using OrgConsole.Tests.TestSupport;
using static OrgConsole.Tests.TestSupport.AccountForms;

namespace OrgConsole.Tests.Api.Accounts;

/// <summary>Hostile input on the account endpoints gets a clear answer (a redirect home, a 400), never a 500 (SPEC §10).</summary>
public sealed class AccountEndpointTests : IAsyncLifetime
{
    private readonly AppFactory _app = AppFactory.InMemory();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory(Timeout = 60_000)]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("http://localhost.evil.example/")]
    [InlineData("javascript:alert('evil')")]
    public async Task SignIn_WithAnOffSiteReturnUrl_LandsAtHome(string returnUrl)
    {
        var client = _app.NewClient();

        var response = await PostLoginAsync(client, "eli@acme.example", DemoPassword, "/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        var target = location.IsAbsoluteUri ? location : new Uri(new Uri("http://localhost/"), location);
        Assert.Equal("localhost", target.Host);
        Assert.DoesNotContain("evil", location.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task SignIn_WithALocalReturnUrl_GoesThere()
    {
        var response = await PostLoginAsync(_app.NewClient(), "eli@acme.example", DemoPassword, "/Account/Login?ReturnUrl=%2Fsettings");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/settings", response.Headers.Location!.ToString());
    }

    [Theory(Timeout = 60_000)]
    [InlineData("/evil.example")]
    [InlineData("\\evil.example")]
    public async Task SignOut_WithAnOffSiteReturnUrl_LandsAtHome(string returnUrl)
    {
        var client = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(client, "eli@acme.example", DemoPassword)).StatusCode);
        var token = AntiforgeryToken(await client.GetStringAsync("/Account/Manage/PersonalData"));

        var response = await client.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["returnUrl"] = returnUrl,
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.ToString());
    }

    [Theory(Timeout = 60_000)]
    [InlineData("/Account/ForgotPassword", "forgot-password")]
    [InlineData("/Account/Register", "register")]
    [InlineData("/Account/Login", "login")]
    [InlineData("/Account/ResendEmailConfirmation", "resend-email-confirmation")]
    public async Task AFormPostWithoutAntiforgeryToken_IsA400(string path, string form)
    {
        var response = await _app.NewClient().PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = form, ["Input.Email"] = "eli@acme.example",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("/Account/PasskeyRequestOptions")]
    [InlineData("/Account/PasskeyCreationOptions")]
    [InlineData("/Account/Logout")]
    public async Task AnEndpointPostWithoutAntiforgeryToken_IsA400(string path)
    {
        var client = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(client, "eli@acme.example", DemoPassword)).StatusCode);

        var response = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task DownloadPersonalData_WithoutAntiforgeryToken_IsRefused_AndWithItIsServed()
    {
        var client = _app.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(client, "eli@acme.example", DemoPassword)).StatusCode);

        var forged = await client.PostAsync("/Account/Manage/DownloadPersonalData", new FormUrlEncodedContent([]));
        var token = AntiforgeryToken(await client.GetStringAsync("/Account/Manage/PersonalData"));
        var real = await client.PostAsync("/Account/Manage/DownloadPersonalData", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.DoesNotContain("eli@acme.example", await forged.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, real.StatusCode);
        Assert.Contains("eli@acme.example", await real.Content.ReadAsStringAsync());
    }
}
