using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Audit;

namespace OrgConsole.Features.Accounts;

/// <summary>
/// Identity's user manager; after every successful change to an account (email, name, …) it refreshes the name and
/// email cached on the person's role assignments, so member lists never show stale labels; and it audits every account
/// event — password, two-factor, passkeys, email (SPEC §9) — whatever page or job makes it. Authenticator (TOTP) keys
/// are stored protected with Data Protection, so a copy of the database alone does not yield anyone's second factor.
/// </summary>
public sealed class AppUserManager(
    IUserStore<ApplicationUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<ApplicationUser> passwordHasher,
    IEnumerable<IUserValidator<ApplicationUser>> userValidators,
    IEnumerable<IPasswordValidator<ApplicationUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<ApplicationUser>> logger,
    IDbContextFactory<ApplicationDbContext> dbFactory,
    AuditLog audit,
    ActorAccessor actorAccessor,
    IDataProtectionProvider dataProtection)
    : UserManager<ApplicationUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    protected override async Task<IdentityResult> UpdateUserAsync(ApplicationUser user)
    {
        var result = await base.UpdateUserAsync(user);
        if (result.Succeeded)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            await PrincipalLabels.RefreshUserAsync(db, user);
        }
        return result;
    }

    /// <summary>Marks a protected key; a stored key without it was written before keys were protected (it still works).</summary>
    internal const string ProtectedKeyPrefix = "dp1:";

    private IDataProtector KeyProtector => dataProtection.CreateProtector("OrgConsole.Accounts.AuthenticatorKey");

    private IUserAuthenticatorKeyStore<ApplicationUser> KeyStore => Store as IUserAuthenticatorKeyStore<ApplicationUser>
        ?? throw new NotSupportedException("The user store does not keep authenticator keys.");

    public override async Task<string?> GetAuthenticatorKeyAsync(ApplicationUser user)
    {
        ThrowIfDisposed();
        var stored = await KeyStore.GetAuthenticatorKeyAsync(user, CancellationToken);
        return stored is not null && stored.StartsWith(ProtectedKeyPrefix, StringComparison.Ordinal)
            ? KeyProtector.Unprotect(stored[ProtectedKeyPrefix.Length..])
            : stored;
    }

    public override async Task<IdentityResult> ResetAuthenticatorKeyAsync(ApplicationUser user)
    {
        ThrowIfDisposed();
        await KeyStore.SetAuthenticatorKeyAsync(user, ProtectedKeyPrefix + KeyProtector.Protect(GenerateNewAuthenticatorKey()), CancellationToken);
        return await UpdateSecurityStampAsync(user); // as Identity does: a new key renews the stamp, then saves
    }

    public override async Task<IdentityResult> ChangePasswordAsync(ApplicationUser user, string currentPassword, string newPassword) =>
        await AuditedAsync(user, await base.ChangePasswordAsync(user, currentPassword, newPassword), "account.password_changed");

    public override async Task<IdentityResult> ResetPasswordAsync(ApplicationUser user, string token, string newPassword) =>
        await AuditedAsync(user, await base.ResetPasswordAsync(user, token, newPassword), "account.password_reset");

    public override async Task<IdentityResult> AddPasswordAsync(ApplicationUser user, string password) =>
        await AuditedAsync(user, await base.AddPasswordAsync(user, password), "account.password_set");

    public override async Task<IdentityResult> SetTwoFactorEnabledAsync(ApplicationUser user, bool enabled) =>
        await AuditedAsync(user, await base.SetTwoFactorEnabledAsync(user, enabled), enabled ? "account.two_factor_enabled" : "account.two_factor_disabled");

    public override async Task<IEnumerable<string>?> GenerateNewTwoFactorRecoveryCodesAsync(ApplicationUser user, int number)
    {
        var codes = await base.GenerateNewTwoFactorRecoveryCodesAsync(user, number);
        if (codes is not null) await RecordAsync(user, new AuditEntry("account.recovery_codes_generated", "user", user.Id));
        return codes;
    }

    public override async Task<IdentityResult> AddOrUpdatePasskeyAsync(ApplicationUser user, UserPasskeyInfo passkey)
    {
        var existing = await GetPasskeyAsync(user, passkey.CredentialId);
        var result = await base.AddOrUpdatePasskeyAsync(user, passkey);
        return await AuditedAsync(user, result, existing is null ? "account.passkey_added" : "account.passkey_updated", new { passkey.Name });
    }

    public override async Task<IdentityResult> RemovePasskeyAsync(ApplicationUser user, byte[] credentialId)
    {
        var existing = await GetPasskeyAsync(user, credentialId);
        return await AuditedAsync(user, await base.RemovePasskeyAsync(user, credentialId), "account.passkey_removed", new { existing?.Name });
    }

    public override async Task<IdentityResult> ChangeEmailAsync(ApplicationUser user, string newEmail, string token)
    {
        var before = user.Email;
        var result = await base.ChangeEmailAsync(user, newEmail, token);
        if (result.Succeeded) await RecordAsync(user, new AuditEntry("account.email_changed", "user", user.Id, Before: new { Email = before }, After: new { Email = newEmail }));
        return result;
    }

    private async Task<IdentityResult> AuditedAsync(ApplicationUser user, IdentityResult result, string action, object? details = null)
    {
        if (result.Succeeded) await RecordAsync(user, new AuditEntry(action, "user", user.Id, After: details ?? new { user.Email }));
        return result;
    }

    private async Task RecordAsync(ApplicationUser user, AuditEntry entry)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await using var tx = await db.BeginWriteTransactionAsync();
        await AccountEvents.AppendAsync(db, audit, AccountEvents.ActorFor(user, actorAccessor.Current), user.Id, entry);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
    }
}
