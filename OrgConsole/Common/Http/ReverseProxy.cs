using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace OrgConsole.Common.Http;

/// <summary>
/// Behind a TLS-terminating reverse proxy the app sees plain http from the proxy. When the operator names the proxy
/// (<c>ReverseProxy:KnownProxies</c> addresses, <c>ReverseProxy:KnownNetworks</c> CIDR ranges), its X-Forwarded-For,
/// -Proto and -Host headers are honoured — and only its: the request then reads as https, so cookies are Secure, HSTS
/// is sent and the hub's Origin check sees the public origin. With nothing configured, forwarded headers are ignored.
/// </summary>
public static class ReverseProxy
{
    public static bool IsConfigured(IConfiguration configuration) =>
        Addresses(configuration, "ReverseProxy:KnownProxies").Length > 0 || Addresses(configuration, "ReverseProxy:KnownNetworks").Length > 0;

    public static IServiceCollection AddReverseProxy(this IServiceCollection services, IConfiguration configuration)
    {
        if (!IsConfigured(configuration)) return services;
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            options.ForwardLimit = configuration.GetValue("ReverseProxy:ForwardLimit", 1);
            // Exactly the configured proxies: not the loopback defaults.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var address in Addresses(configuration, "ReverseProxy:KnownProxies")) options.KnownProxies.Add(IPAddress.Parse(address));
            foreach (var network in Addresses(configuration, "ReverseProxy:KnownNetworks")) options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            // A forwarded Host is accepted only when it is the public one.
            if (Uri.TryCreate(configuration[PublicUrl.ConfigurationKey], UriKind.Absolute, out var publicUrl)) options.AllowedHosts = [publicUrl.Authority];
        });
        return services;
    }

    public static IApplicationBuilder UseReverseProxy(this IApplicationBuilder app, IConfiguration configuration) =>
        IsConfigured(configuration) ? app.UseForwardedHeaders() : app;

    private static string[] Addresses(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(key);
        // A list in JSON, or one comma-separated value from an environment variable.
        var values = section.Get<string[]>() ?? (section.Value is { Length: > 0 } single ? single.Split(',') : []);
        return [.. values.Select(v => v.Trim()).Where(v => v.Length > 0)];
    }
}
