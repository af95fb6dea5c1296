namespace OrgConsole.Common.Http;

public static class SecurityHeaders
{
    // Blazor Server needs no inline or eval'd script; MudBlazor sets inline styles. Everything is served by the app itself.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers["Content-Security-Policy"] = ContentSecurityPolicy;
            headers["X-Content-Type-Options"] = "nosniff";
            headers["X-Frame-Options"] = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        await next();
    });
}

/// <summary>
/// Refuses requests to the Blazor hub that a browser sent from another site's page (cross-site WebSocket
/// hijacking): the hub's cookie authentication would otherwise let that page act as the signed-in user.
/// </summary>
public static class HubOriginCheck
{
    public const string HubPath = "/_blazor";

    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app, IConfiguration configuration)
    {
        var allowed = configuration.GetSection("Security:AllowedOrigins").Get<string[]>() ?? [];
        // The public address is always this app's own origin, whatever scheme a proxy in front of it speaks to it.
        if (Uri.TryCreate(configuration[PublicUrl.ConfigurationKey], UriKind.Absolute, out var publicUrl)) allowed = [.. allowed, publicUrl.GetLeftPart(UriPartial.Authority)];
        return app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(HubPath) && context.Request.Headers.Origin is { Count: > 0 } origin
                && !IsAllowed(origin.ToString(), context.Request, allowed))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync("Cross-origin requests to the Blazor hub are not allowed.");
                return;
            }
            await next();
        });
    }

    private static bool IsAllowed(string origin, HttpRequest request, string[] allowed)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)) return false;
        var self = $"{request.Scheme}://{request.Host}";
        var normalized = $"{uri.Scheme}://{uri.Authority}";
        return string.Equals(normalized, self, StringComparison.OrdinalIgnoreCase)
               || allowed.Any(a => string.Equals(a.TrimEnd('/'), normalized, StringComparison.OrdinalIgnoreCase));
    }
}
