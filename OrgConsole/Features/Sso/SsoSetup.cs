namespace OrgConsole.Features.Sso;

/// <summary>Registers single sign-on: the settings service, the provider metadata cache and the sign-in endpoints.</summary>
public static class SsoSetup
{
    public static IServiceCollection AddSso(this IServiceCollection services)
    {
        services.AddHttpClient(SsoDiscovery.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SsoOptions>>();
                return SsoOutbound.CreateHandler(() => options.Value.AllowInsecureLoopback);
            });
        services.AddOptions<SsoOptions>().BindConfiguration(SsoOptions.Section);
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

    /// <summary>The hourly re-check of verified domains (the app only; tests call <see cref="SsoDomainMonitor.RecheckAsync"/>).</summary>
    public static IServiceCollection AddSsoJobs(this IServiceCollection services)
    {
        services.AddHostedService<SsoDomainRecheckJob>();
        return services;
    }

    /// <summary><c>/sso/start</c> sends the browser to the provider; <c>/sso/callback</c> is the redirect URI registered there.</summary>
    public static IEndpointRouteBuilder MapSso(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(SsoSignIn.StartPath, async (HttpContext http, SsoSignIn sso, string? email, string? returnUrl, CancellationToken ct) =>
            Results.Redirect(await sso.BeginAsync(http, email, returnUrl, ct))).AllowAnonymous();
        endpoints.MapGet("/" + SsoService.CallbackPath, async (HttpContext http, SsoSignIn sso, CancellationToken ct) =>
            Results.Redirect(await sso.CompleteAsync(http, ct))).AllowAnonymous();
        return endpoints;
    }
}
