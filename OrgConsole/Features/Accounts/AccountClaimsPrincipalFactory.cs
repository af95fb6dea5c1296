using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OrgConsole.Data;

namespace OrgConsole.Features.Accounts;

/// <summary>
/// Puts the person's display name in the sign-in cookie, so the user menu names them without a query per page. It is
/// renewed at sign-in, after the account page saves a new name, and whenever the cookie is revalidated.
/// </summary>
public sealed class AccountClaimsPrincipalFactory(
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(users, roles, options)
{
    public const string DisplayNameClaim = "orgconsole:display_name";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (!string.IsNullOrWhiteSpace(user.DisplayName)) identity.AddClaim(new Claim(DisplayNameClaim, user.DisplayName));
        return identity;
    }
}
