using System.Reflection;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrgConsole.Tests.Features.Accounts;

/// <summary>An open circuit re-checks the security stamp as often as a cookie does, so it ends soon after a password change elsewhere.</summary>
public sealed class CircuitRevalidationTests
{
    [Theory]
    [InlineData(60, 60)]
    [InlineData(0, 5)] // "every request" for cookies; a circuit checks every few seconds rather than spin
    public void OpenCircuits_RevalidateAtTheSessionInterval(int configuredSeconds, int expectedSeconds)
    {
        var services = new ServiceCollection().AddLogging()
            .Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromSeconds(configuredSeconds))
            .AddOptions().BuildServiceProvider();
        var type = typeof(Program).Assembly.GetType("OrgConsole.Components.Account.IdentityRevalidatingAuthenticationStateProvider", throwOnError: true)!;

        var provider = (AuthenticationStateProvider)ActivatorUtilities.CreateInstance(services, type);
        var interval = (TimeSpan)type.GetProperty("RevalidationInterval", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(provider)!;

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), interval);
        (provider as IDisposable)?.Dispose();
    }
}
