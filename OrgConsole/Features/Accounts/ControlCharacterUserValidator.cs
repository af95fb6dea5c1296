using Microsoft.AspNetCore.Identity;
using OrgConsole.Common;
using OrgConsole.Data;

namespace OrgConsole.Features.Accounts;

/// <summary>
/// Refuses control characters (NUL, line breaks, …) in an account's email, user name and display name, however the
/// account is created or changed (registration, external sign-in, email change): Identity validates every create and update.
/// </summary>
public sealed class ControlCharacterUserValidator : IUserValidator<ApplicationUser>
{
    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        var errors = new List<IdentityError>();
        if (Names.HasControlCharacters(user.Email) || Names.HasControlCharacters(user.UserName))
        {
            errors.Add(new IdentityError { Code = "InvalidEmailCharacters", Description = Names.ControlCharactersMessage("email address") });
        }
        if (Names.HasControlCharacters(user.DisplayName))
        {
            errors.Add(new IdentityError { Code = "InvalidNameCharacters", Description = Names.ControlCharactersMessage("name") });
        }
        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]));
    }
}
