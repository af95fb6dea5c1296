using System.Net;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api.Accounts;

/// <summary>
/// Production behind a TLS-terminating proxy (SPEC §10): the configured proxy's forwarded headers are honoured — Secure
/// cookies, HSTS, and the Blazor hub accepts the public https origin — and nobody else's are.
/// </summary>
public sealed class ReverseProxyTests : IAsyncLifetime
{
    private const string PublicOrigin = "https://console.example.com";
    private readonly string _keys = Path.Combine(Path.GetTempPath(), $"orgconsole-keys-{Guid.NewGuid():N}");
    private AppFactory _app = default!;

    public Task InitializeAsync()
    {
        _app = AppFactory.OnKestrel(new Dictionary<string, string>
        {
            ["environment"] = "Production",
            ["Seed:Demo"] = "false",
            ["App:PublicUrl"] = PublicOrigin,
            ["Email:AllowOutboxInProduction"] = "true",
            ["AdminApi:TokenSigningKey"] = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray()),
            ["DataProtection:KeysPath"] = _keys,
            ["ReverseProxy:KnownProxies:0"] = "127.0.0.1",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        try { Directory.Delete(_keys, recursive: true); } catch (IOException) { }
    }

    [Fact(Timeout = 60_000)]
    public async Task ThroughTheProxy_CookiesAreSecure_AndHstsIsSent()
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = _app.BaseAddress };

        using var response = await client.SendAsync(FromProxy(HttpMethod.Get, "Account/Login"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("Strict-Transport-Security"));
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact(Timeout = 60_000)]
    public async Task TheHub_AcceptsThePublicHttpsOrigin_ThroughTheProxy_AndStillRefusesOthers()
    {
        using var client = new HttpClient { BaseAddress = _app.BaseAddress };

        using var own = await client.SendAsync(Negotiate(PublicOrigin));
        using var foreign = await client.SendAsync(Negotiate("https://evil.example"));

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task WithoutAConfiguredProxy_ForwardedHeadersAreIgnored()
    {
        await using var direct = AppFactory.OnKestrel();
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = direct.BaseAddress };

        using var response = await client.SendAsync(FromProxy(HttpMethod.Get, "Account/Login"));
        using var hub = await client.SendAsync(Negotiate("https://console.example.com"));

        Assert.All(response.Headers.GetValues("Set-Cookie"), c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.Forbidden, hub.StatusCode);
    }

    private static HttpRequestMessage FromProxy(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "console.example.com");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        return request;
    }

    private static HttpRequestMessage Negotiate(string origin)
    {
        var request = FromProxy(HttpMethod.Post, "_blazor/negotiate?negotiateVersion=1");
        request.Content = new StringContent("");
        request.Headers.Add("Origin", origin);
        return request;
    }
}
