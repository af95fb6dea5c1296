using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace OrgConsole.Features.Sso;

/// <summary>The single sign-on feature's one entry: the settings service, domain verification, the OpenID Connect handler and the sign-in endpoints.</summary>
public static class SsoModule
{
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration) => services.AddSso().AddSsoSignIn();

    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder endpoints) => endpoints.MapSso();

    private static IServiceCollection AddSso(this IServiceCollection services)
    {
        services.AddOptions<SsoOptions>().BindConfiguration(SsoOptions.Section);
        services.AddHttpClient(SsoDiscovery.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<SsoOptions>>();
                return SsoOutbound.CreateHandler(() => options.Value.AllowInsecureLoopback);
            });
        services.AddSingleton<SsoDiscovery>();
        services.AddSingleton<SsoDns>();
        services.AddScoped<SsoNotices>();
        services.AddScoped<SsoDomainMonitor>();
        services.AddScoped<SsoService>();
        services.AddScoped<SsoDirectory>();
        services.AddScoped<SsoProvisioning>();
        services.AddScoped<SsoSignIn>();
        return services;
    }

    /// <summary>
    /// The web app's part: ASP.NET Core's OpenID Connect handler as one scheme whose options are the current request's
    /// organization's (see <see cref="SsoOidc"/>), and the hourly re-check of verified domains.
    /// </summary>
    private static IServiceCollection AddSsoSignIn(this IServiceCollection services)
    {
        services.AddAuthentication().AddOpenIdConnect(SsoOidc.Scheme, "Single sign-on", _ => { });
        services.AddSingleton<IConfigureOptions<OpenIdConnectOptions>, SsoOidcConfigure>();
        services.AddSingleton<IOptionsMonitor<OpenIdConnectOptions>, SsoOidcOptionsMonitor>();
        services.AddScoped<SsoOidcEvents>();
        services.AddHostedService<SsoDomainRecheckJob>();
        return services;
    }

    /// <summary><c>/sso/start</c> sends the browser to the provider; the handler answers <c>/sso/callback/{org}</c>; <c>/sso/complete</c> signs in.</summary>
    private static IEndpointRouteBuilder MapSso(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(SsoSignIn.StartPath, (HttpContext http, SsoSignIn sso, string? email, string? returnUrl) => sso.BeginAsync(http, email, returnUrl)).AllowAnonymous();
        endpoints.MapGet(SsoSignIn.CompletePath, async (HttpContext http, SsoSignIn sso, string? returnUrl, CancellationToken ct) =>
            Results.Redirect(await sso.CompleteAsync(http, returnUrl, ct))).AllowAnonymous();
        return endpoints;
    }
}
