using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrgConsole.Common;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

/// <summary>Security-relevant actions leave structured log events (SPEC §11) beside the audit log: failed sign-ins and refusals by a rate limit.</summary>
public sealed class SecurityLogTests : IAsyncLifetime
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly AppFactory _app;

    public SecurityLogTests() => _app = AppFactory.InMemory(new Dictionary<string, string>
    {
        ["RateLimits:SignInPerAccountAndAddress:PermitLimit"] = "2",
        ["RateLimits:SignInPerAccountAndAddress:Window"] = "00:15:00",
    }, services => services.AddSingleton<ILoggerProvider>(_logs));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task FailedSignIns_AndTheRateLimitThatStopsThem_AreStructuredSecurityEvents()
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await AccountForms.PostLoginAsync(client, "eli@acme.example", "wrong-password")).StatusCode);
        var refused = await AccountForms.PostLoginAsync(client, "eli@acme.example", "wrong-password");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var security = _logs.Entries.Where(e => e.Category == SecurityLog.Category).ToList();
        var failures = security.Where(e => e.EventId.Id == 9001).ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, e => Assert.Equal("eli@acme.example", e.State["Account"]));
        Assert.All(failures, e => Assert.Contains("wrong credentials", (string)e.State["Reason"]!));
        var limited = Assert.Single(security, e => e.EventId.Id == 9002);
        Assert.Equal(LogLevel.Warning, limited.Level);
        Assert.Equal("SignInPerAccountAndAddress", limited.State["Limit"]);
    }
}
