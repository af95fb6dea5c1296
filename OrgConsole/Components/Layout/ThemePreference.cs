using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using OrgConsole.Components.Account;
using OrgConsole.Data;
using OrgConsole.Features.Accounts;

namespace OrgConsole.Components.Layout;

/// <summary>
/// The app bar's theme toggle without a circuit: a form post (enhanced by blazor.web.js, so the page body keeps its
/// state) that saves the preference (<see cref="AccountPreferences"/>), renews the sign-in cookie — which carries the
/// preference, so a page renders its theme without a query — and sends the browser back to the page it came from.
/// Signed-in people only, with the antiforgery token of their session (form-bound endpoints demand it); the return
/// address must be on this site, else the person lands on the home page.
/// </summary>
public static class ThemePreference
{
    public const string Path = "/preferences/theme";
    public const string DarkField = "dark";
    public const string ReturnUrlField = "returnUrl";

    /// <summary>Whether the signed-in person chose the dark theme (the claim the sign-in cookie carries).</summary>
    public static bool PrefersDark(ClaimsPrincipal? user) =>
        user?.FindFirst(AccountClaimsPrincipalFactory.DarkModeClaim)?.Value == "true";

    public static IEndpointConventionBuilder MapThemePreference(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(Path, SaveAsync).RequireAuthorization();

    private static async Task<RedirectHttpResult> SaveAsync(
        ClaimsPrincipal principal,
        [FromForm(Name = DarkField)] bool dark,
        [FromForm(Name = ReturnUrlField)] string? returnUrl,
        [FromServices] AccountPreferences preferences,
        [FromServices] UserManager<ApplicationUser> users,
        [FromServices] SignInManager<ApplicationUser> signIn,
        CancellationToken ct)
    {
        await preferences.SetDarkModeAsync(dark, ct);
        if (await users.GetUserAsync(principal) is { } user)
        {
            // The row was saved by the service; this copy (perhaps tracked since the cookie's revalidation) only feeds the cookie.
            user.PrefersDarkMode = dark;
            await signIn.RefreshSignInAsync(user);
        }
        return TypedResults.LocalRedirect(LocalReturn(returnUrl));
    }

    /// <summary>"~/orgs/…" for an address relative to the base; anything else ("//host", "https://…", "/\host") goes home.</summary>
    internal static string LocalReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && IdentityRedirectManager.IsLocal(url) && !url.StartsWith('/') && !url.StartsWith('~') ? $"~/{url}" : "~/";
}
