namespace OrgConsole.Components.Layout;

/// <summary>
/// Console pages route statically, so a click on a link is an enhanced navigation: a fetch of the next page. When that
/// page is not available (no such organization, or one the person is not in — they look the same, SPEC §1.3) the
/// not-found page answers it with 200, as the interactive router showed it before: a 404 to a fetch is reported by the
/// browser as a failed resource. A page loaded in full (address bar, reload, API) still answers 404.
/// </summary>
public static class EnhancedNavigationNotFound
{
    public static IApplicationBuilder UseEnhancedNavigationNotFound(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (IsEnhancedNavigation(context.Request))
        {
            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode == StatusCodes.Status404NotFound
                    && context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
                {
                    context.Response.StatusCode = StatusCodes.Status200OK;
                    // What a Blazor page answers an enhanced navigation with (blazor.web.js loads a 2xx answer without it in full).
                    context.Response.Headers["blazor-enhanced-nav"] = "allow";
                }
                return Task.CompletedTask;
            });
        }
        await next();
    });

    /// <summary>blazor.web.js asks for the next page with <c>Accept: text/html; blazor-enhanced-nav=on</c>.</summary>
    public static bool IsEnhancedNavigation(HttpRequest request) =>
        request.Headers.Accept.Any(a => a?.Contains("blazor-enhanced-nav=on", StringComparison.OrdinalIgnoreCase) == true);
}
