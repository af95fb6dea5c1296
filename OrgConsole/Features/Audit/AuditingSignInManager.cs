using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;

namespace OrgConsole.Features.Audit;

/// <summary>
/// Identity's sign-in manager, plus an audit event for every sign-in and failed sign-in (SPEC §9).
/// A sign-in is recorded in every organization the person belongs to, so each organization's owners see it;
/// a person with no organization, or an unknown email, is recorded in the platform chain.
/// </summary>
public sealed class AuditingSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation,
    IDbContextFactory<ApplicationDbContext> dbFactory,
    AuditLog audit,
    TimeProvider time,
    Sso.SsoDirectory sso)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName) ?? await UserManager.FindByEmailAsync(userName);
        if (user is null)
        {
            await RecordAsync(null, userName, "auth.sign_in_failed", "unknown account");
            return SignInResult.Failed;
        }
        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    public override async Task<SignInResult> PasswordSignInAsync(ApplicationUser user, string password, bool isPersistent, bool lockoutOnFailure)
    {
        // An organization that enforces single sign-on refuses passwords for its domains, whatever page or request asks (SPEC §6).
        if (await sso.RequiresSsoAsync(user.Email))
        {
            await RecordAsync(user, user.Email, "auth.sign_in_failed", "password: the organization requires single sign-on");
            return SignInResult.NotAllowed;
        }
        var result = await base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
        await RecordAsync(user, user.Email, result, "password");
        return result;
    }

    public override async Task<PasskeyAssertionResult<ApplicationUser>> PerformPasskeyAssertionAsync(string credentialJson)
    {
        var result = await base.PerformPasskeyAssertionAsync(credentialJson);
        if (result.Succeeded && await sso.RequiresSsoAsync(result.User.Email))
        {
            await RecordAsync(result.User, result.User.Email, "auth.sign_in_failed", "passkey: the organization requires single sign-on");
            return PasskeyAssertionResult.Fail<ApplicationUser>(new PasskeyException("Your organization requires single sign-on."));
        }
        return result;
    }

    public override async Task<SignInResult> TwoFactorAuthenticatorSignInAsync(string code, bool isPersistent, bool rememberClient)
    {
        var user = await GetTwoFactorAuthenticationUserAsync();
        var result = await base.TwoFactorAuthenticatorSignInAsync(code, isPersistent, rememberClient);
        if (user is not null) await RecordAsync(user, user.Email, result, "authenticator app");
        return result;
    }

    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode)
    {
        var user = await GetTwoFactorAuthenticationUserAsync();
        var result = await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode);
        if (user is not null) await RecordAsync(user, user.Email, result, "recovery code");
        return result;
    }

    private Task RecordAsync(ApplicationUser user, string? email, SignInResult result, string method)
    {
        if (result.RequiresTwoFactor) return Task.CompletedTask; // the second step records the outcome
        var (action, detail) = result switch
        {
            { Succeeded: true } => ("auth.signed_in", method),
            { IsLockedOut: true } => ("auth.sign_in_failed", $"{method}: account locked out"),
            { IsNotAllowed: true } => ("auth.sign_in_failed", $"{method}: email not confirmed"),
            _ => ("auth.sign_in_failed", $"{method}: wrong credentials"),
        };
        return RecordAsync(user, email, action, detail, touchLastActive: result.Succeeded);
    }

    private async Task RecordAsync(ApplicationUser? user, string? email, string action, string detail, bool touchLastActive = false)
    {
        var http = Context;
        var ip = http.Connection.RemoteIpAddress?.ToString();
        var agent = http.Request.Headers.UserAgent.ToString();
        var actor = user is null
            ? Actor.Anonymous with { Name = email ?? "unknown", IpAddress = ip, UserAgent = agent }
            : new Actor(ActorType.User, user.Id, user.Email ?? user.Id) { IpAddress = ip, UserAgent = agent };
        var entry = new AuditEntry(action, "user", user?.Id, After: new { Email = email, Method = detail });

        await using var db = await dbFactory.CreateDbContextAsync();
        List<Guid> organizations = user is null ? [] : await db.RoleAssignments
            .Where(r => r.ProjectId == null && r.PrincipalType == PrincipalType.User && r.PrincipalId == user.Id)
            .Select(r => r.OrganizationId).Distinct().ToListAsync();
        await using var tx = await db.BeginWriteTransactionAsync();
        if (organizations.Count == 0) await audit.AppendAsync(db, actor, null, entry);
        foreach (var organizationId in organizations) await audit.AppendAsync(db, actor, organizationId, entry);
        if (touchLastActive && user is not null)
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastActiveAt, time.UtcNow()));
        }
        await db.SaveChangesAsync();
        await tx.CommitAsync();
    }
}
