using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace OrgConsole.Tests.TestSupport;

/// <summary>
/// The in-memory server has no client address; this puts the one named in <see cref="Header"/> on the connection,
/// so a test can speak from several addresses (rate limits per address).
/// </summary>
public sealed class ClientAddressHeader : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    public static void Register(IServiceCollection services) => services.AddSingleton<IStartupFilter, ClientAddressHeader>();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var address)) context.Connection.RemoteIpAddress = address;
            await nextMiddleware();
        });
        next(app);
    };
}
