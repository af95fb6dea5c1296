using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Accounts;
using OrgConsole.Features.Audit;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Accounts;

/// <summary>Closing an account goes through the last-owner guard and leaves nothing pointing at it (SPEC §2, §9).</summary>
public sealed class AccountServiceTests
{
    [Fact(Timeout = 30_000)]
    public async Task DeletingYourAccount_AsTheOnlyOwner_IsRefused_NamingTheOrganizationAndWhatToDo()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Initech");

        var result = await Accounts(db, owner).DeleteOwnAccountAsync(null);

        Assert.Equal(ErrorKind.Conflict, result.Error?.Kind);
        Assert.Contains("\"Initech\"", result.Error?.Message);
        Assert.Contains("Promote another member to Owner", result.Error?.Message);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.True(await ctx.Users.AnyAsync(u => u.Id == owner));
        Assert.Equal(1, await db.OwnerCountAsync(orgId));
        Assert.DoesNotContain(await db.AuditEventsAsync(orgId), e => e.Action == "account.deleted");
    }

    [Fact(Timeout = 30_000)]
    public async Task DeletingYourAccount_RemovesMembershipsProjectRolesAndTheAccount_InEachOrganizationsLog()
    {
        await using var db = await TestDb.CreateAsync();
        var (acme, acmeOwner) = await db.CreateOrganizationAsync("Acme");
        var (globex, _) = await db.CreateOrganizationAsync("Globex");
        var project = await db.AddProjectAsync(acme);
        var leaving = await db.AddMemberAsync(acme, Role.OrgOwner, "leaving@test.example");
        await db.GrantAsync(acme, leaving, Role.ProjectOwner, project);
        await db.GrantAsync(globex, leaving, Role.OrgBillingAdmin);

        var result = await Accounts(db, leaving).DeleteOwnAccountAsync(null);

        Assert.True(result.IsSuccess, result.Error?.Message);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.False(await ctx.Users.AnyAsync(u => u.Id == leaving));
        Assert.False(await ctx.RoleAssignments.AnyAsync(r => r.PrincipalId == leaving));
        Assert.Equal(1, await db.OwnerCountAsync(acme));
        Assert.Contains(await db.AuditEventsAsync(acme), e => e.Action == "account.deleted" && e.TargetId == leaving && e.ActorId == leaving);
        Assert.Contains(await db.AuditEventsAsync(globex), e => e.Action == "account.deleted" && e.TargetId == leaving);
        Assert.True((await db.Services.GetRequiredService<AuditLog>().VerifyAsync(acme)).IsIntact);
        Assert.NotNull(acmeOwner);
    }

    [Fact(Timeout = 30_000)]
    public async Task DeletingYourAccount_WithTheWrongPassword_ChangesNothing()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        var member = await db.AddMemberAsync(orgId, Role.OrgMember);
        await using (var scope = db.As(member))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.AddPasswordAsync((await users.FindByIdAsync(member))!, "Right-passw0rd")).Succeeded);
        }

        var wrong = await Accounts(db, member).DeleteOwnAccountAsync("Wrong-passw0rd");
        var missing = await Accounts(db, member).DeleteOwnAccountAsync(null);

        Assert.Equal(ErrorKind.Validation, wrong.Error?.Kind);
        Assert.Equal(ErrorKind.Validation, missing.Error?.Kind);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.True(await ctx.RoleAssignments.AnyAsync(r => r.PrincipalId == member));
        Assert.True((await Accounts(db, member).DeleteOwnAccountAsync("Right-passw0rd")).IsSuccess);
    }

    [Fact(Timeout = 30_000)]
    public async Task DeletingYourAccount_Anonymously_IsRefused()
    {
        await using var db = await TestDb.CreateAsync();

        Assert.Equal(ErrorKind.Forbidden, (await Accounts(db, null).DeleteOwnAccountAsync(null)).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task AnAccountDeletedAnyOtherWay_LeavesNoRoleAssignmentPointingAtIt()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        var project = await db.AddProjectAsync(orgId);
        var member = await db.AddMemberAsync(orgId, Role.OrgMember);
        await db.GrantAsync(orgId, member, Role.ProjectMember, project);

        await using (var scope = db.As(null))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.DeleteAsync((await users.FindByIdAsync(member))!)).Succeeded);
        }

        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.False(await ctx.RoleAssignments.AnyAsync(r => r.PrincipalType == PrincipalType.User && r.PrincipalId == member));
    }

    [Fact(Timeout = 30_000)]
    public async Task AccountEvents_AreAudited_InTheOrganizationsOfTheAccount_OrThePlatformChain()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var loner = await db.CreateUserAsync("loner@test.example");

        await using (var scope = db.As(owner))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByIdAsync(owner))!;
            Assert.True((await users.AddPasswordAsync(user, "First-passw0rd")).Succeeded);
            Assert.True((await users.ChangePasswordAsync(user, "First-passw0rd", "Second-passw0rd")).Succeeded);
            Assert.False((await users.ChangePasswordAsync(user, "wrong", "Third-passw0rd")).Succeeded);
            var reset = await users.GeneratePasswordResetTokenAsync(user);
            Assert.True((await users.ResetPasswordAsync(user, reset, "Third-passw0rd")).Succeeded);
            Assert.True((await users.SetTwoFactorEnabledAsync(user, true)).Succeeded);
            Assert.True((await users.SetTwoFactorEnabledAsync(user, false)).Succeeded);
            var change = await users.GenerateChangeEmailTokenAsync(user, "renamed@test.example");
            Assert.True((await users.ChangeEmailAsync(user, "renamed@test.example", change)).Succeeded);
        }
        await using (var scope = db.As(loner))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.SetTwoFactorEnabledAsync((await users.FindByIdAsync(loner))!, true)).Succeeded);
        }

        var events = (await db.AuditEventsAsync(orgId)).Where(e => e.Action.StartsWith("account.")).ToList();
        Assert.Equal(
            ["account.password_set", "account.password_changed", "account.password_reset", "account.two_factor_enabled", "account.two_factor_disabled", "account.email_changed"],
            events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal(owner, e.TargetId));
        Assert.Contains("renamed@test.example", events[^1].After);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.True(await ctx.AuditEvents.AnyAsync(e => e.ChainKey == AuditLog.PlatformChain && e.Action == "account.two_factor_enabled" && e.TargetId == loner));
    }

    [Fact(Timeout = 30_000)]
    public async Task PasskeysAddedRenamedAndRemoved_AreAudited()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var credentialId = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };

        await using (var scope = db.As(owner))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByIdAsync(owner))!;
            var passkey = new UserPasskeyInfo(credentialId, [9, 9, 9], DateTimeOffset.UtcNow, 0, ["internal"], true, false, false, [1], [2]) { Name = "Laptop" };
            Assert.True((await users.AddOrUpdatePasskeyAsync(user, passkey)).Succeeded);
            passkey.Name = "Work laptop";
            Assert.True((await users.AddOrUpdatePasskeyAsync(user, passkey)).Succeeded);
            Assert.True((await users.RemovePasskeyAsync(user, credentialId)).Succeeded);
        }

        var events = (await db.AuditEventsAsync(orgId)).Where(e => e.Action.StartsWith("account.passkey")).ToList();
        Assert.Equal(["account.passkey_added", "account.passkey_updated", "account.passkey_removed"], events.Select(e => e.Action));
        Assert.Contains("Laptop", events[0].After);
        Assert.Contains("Work laptop", events[2].After);
        Assert.All(events, e => Assert.Equal(owner, e.ActorId));
    }

    private static AccountService Accounts(TestDb db, string? userId) => ActivatorUtilities.CreateInstance<AccountService>(db.As(userId).ServiceProvider);
}
