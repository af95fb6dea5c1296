using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OrgConsole.Data;

namespace OrgConsole.Features.Accounts;

/// <summary>
/// Puts the person's display name and theme in the sign-in cookie, so the user menu names them and the layout picks
/// the theme without a query per page. It is renewed at sign-in, after the account page saves a new name or the app
/// bar a new theme, and whenever the cookie is revalidated.
/// </summary>
public sealed class AccountClaimsPrincipalFactory(
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(users, roles, options)
{
    public const string DisplayNameClaim = "orgconsole:display_name";

    /// <summary>Present ("true") when the person prefers the dark theme.</summary>
    public const string DarkModeClaim = "orgconsole:dark_mode";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (!string.IsNullOrWhiteSpace(user.DisplayName)) identity.AddClaim(new Claim(DisplayNameClaim, user.DisplayName));
        if (user.PrefersDarkMode) identity.AddClaim(new Claim(DarkModeClaim, "true"));
        return identity;
    }
}
