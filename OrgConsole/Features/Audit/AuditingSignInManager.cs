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
    Sso.SsoDirectory sso,
    Sso.SsoNotices notices,
    ILoggerFactory loggers)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    private readonly ILogger _security = loggers.CreateLogger(Common.SecurityLog.Category);

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName) ?? await UserManager.FindByEmailAsync(userName);
        if (user is null)
        {
            // Verify against a dummy hash so an unknown email takes as long as a wrong password (no enumeration by timing).
            UserManager.PasswordHasher.VerifyHashedPassword(new ApplicationUser(), DummyHash(), password);
            await RecordAsync(null, userName, "auth.sign_in_failed", "unknown account");
            return SignInResult.Failed;
        }
        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    public override async Task<SignInResult> PasswordSignInAsync(ApplicationUser user, string password, bool isPersistent, bool lockoutOnFailure)
    {
        // An organization that enforces single sign-on refuses passwords for its domains, whatever page or request asks (SPEC §6) —
        // except break-glass: an Owner of that organization with two-factor authentication on, who must then give the second factor.
        if (await sso.FindAsync(user.Email) is { EnforceSso: true } route)
        {
            if (!await CanBreakGlassAsync(user, route))
            {
                await RecordAsync(user, user.Email, "auth.sign_in_failed", "password: the organization requires single sign-on");
                return SignInResult.NotAllowed;
            }
            Context.Items[BreakGlassItem] = route;
            var breakGlass = await base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
            if (breakGlass.Succeeded)
            {
                // Cannot happen while the second factor is demanded; never let a password alone through.
                await SignOutAsync();
                return SignInResult.NotAllowed;
            }
            await RecordAsync(user, user.Email, breakGlass, "password (break-glass)");
            return breakGlass;
        }
        var result = await base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
        // Identity says "not allowed" (email not confirmed) before it looks at the password; only the right password may
        // learn that — anyone else gets the same answer as for a wrong password, after the same hashing work.
        if (result.IsNotAllowed && !await UserManager.CheckPasswordAsync(user, password)) result = SignInResult.Failed;
        await RecordAsync(user, user.Email, result, "password");
        return result;
    }

    private static string? _dummyHash;

    private string DummyHash() => _dummyHash ??= UserManager.PasswordHasher.HashPassword(new ApplicationUser(), Guid.NewGuid().ToString());

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

    /// <summary>Under enforced SSO (break-glass) the second factor is asked every time: a remembered browser does not skip it.</summary>
    public override async Task<bool> IsTwoFactorClientRememberedAsync(ApplicationUser user) =>
        !Context.Items.ContainsKey(BreakGlassItem) && await base.IsTwoFactorClientRememberedAsync(user);

    public override async Task<SignInResult> TwoFactorAuthenticatorSignInAsync(string code, bool isPersistent, bool rememberClient)
    {
        var user = await GetTwoFactorAuthenticationUserAsync();
        var route = user is null ? null : await sso.FindAsync(user.Email);
        if (user is not null && route is { EnforceSso: true } && !await CanBreakGlassAsync(user, route))
        {
            await RecordAsync(user, user.Email, "auth.sign_in_failed", "authenticator app: the organization requires single sign-on");
            return SignInResult.NotAllowed;
        }
        var result = await base.TwoFactorAuthenticatorSignInAsync(code, isPersistent, rememberClient);
        if (user is not null) await RecordAsync(user, user.Email, result, route is { EnforceSso: true } ? "authenticator app (break-glass)" : "authenticator app");
        if (result.Succeeded && user is not null && route is { EnforceSso: true }) await RecordBreakGlassAsync(user, route, "authenticator app");
        return result;
    }

    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode)
    {
        var user = await GetTwoFactorAuthenticationUserAsync();
        var route = user is null ? null : await sso.FindAsync(user.Email);
        if (user is not null && route is { EnforceSso: true } && !await CanBreakGlassAsync(user, route))
        {
            await RecordAsync(user, user.Email, "auth.sign_in_failed", "recovery code: the organization requires single sign-on");
            return SignInResult.NotAllowed;
        }
        var result = await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode);
        if (user is not null) await RecordAsync(user, user.Email, result, route is { EnforceSso: true } ? "recovery code (break-glass)" : "recovery code");
        if (result.Succeeded && user is not null && route is { EnforceSso: true }) await RecordBreakGlassAsync(user, route, "recovery code");
        return result;
    }

    private const string BreakGlassItem = "OrgConsole.BreakGlass";

    /// <summary>Break-glass is for an Owner of the enforcing organization who has two-factor authentication on (SPEC §6).</summary>
    private async Task<bool> CanBreakGlassAsync(ApplicationUser user, Sso.SsoRoute route)
    {
        if (!await UserManager.GetTwoFactorEnabledAsync(user)) return false;
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.RoleAssignments.AnyAsync(r => r.OrganizationId == route.OrganizationId && r.ProjectId == null
            && r.PrincipalType == PrincipalType.User && r.PrincipalId == user.Id && r.Role == Role.OrgOwner);
    }

    /// <summary>A break-glass sign-in is audited in the enforcing organization and emailed to its other owners.</summary>
    private async Task RecordBreakGlassAsync(ApplicationUser user, Sso.SsoRoute route, string secondFactor)
    {
        var http = Context;
        var actor = new Actor(ActorType.User, user.Id, user.Email ?? user.Id)
        {
            IpAddress = http.Connection.RemoteIpAddress?.ToString(), UserAgent = http.Request.Headers.UserAgent.ToString(),
        };
        Common.SecurityLog.BreakGlassSignIn(_security, user.Email ?? user.Id, route.OrganizationId, actor.IpAddress);
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await using var tx = await db.BeginWriteTransactionAsync();
            await audit.AppendAsync(db, actor, route.OrganizationId, new AuditEntry("auth.break_glass", "user", user.Id,
                After: new { user.Email, Method = "password + " + secondFactor, route.Domain, Reason = "single sign-on is enforced" }));
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }
        var who = Sso.SsoNotices.Encode(user.Email ?? user.Id);
        await notices.EmailOwnersAsync(route.OrganizationId, $"Break-glass sign-in by {user.Email} to {route.OrganizationName}", "Break-glass sign-in",
            $"<p><strong>{who}</strong>, an owner of {Sso.SsoNotices.Encode(route.OrganizationName)}, signed in with a password and {Sso.SsoNotices.Encode(secondFactor)} "
            + $"although single sign-on is enforced for {Sso.SsoNotices.Encode(route.Domain)}, at {time.GetUtcNow():yyyy-MM-dd HH:mm} UTC "
            + $"from {Sso.SsoNotices.Encode(actor.IpAddress ?? "an unknown address")}.</p><p>If this was not expected, check your organization's audit log.</p>",
            exceptUserId: user.Id);
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
        if (action == "auth.sign_in_failed") Common.SecurityLog.SignInFailed(_security, email ?? user?.Email ?? "unknown", ip, detail);

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
