using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Accounts;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Members;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Accounts;

/// <summary>
/// A person's display name: one rule (trimmed, length-limited, no control characters), and a change reaches every place
/// that shows or searches it — the member list's cached rows and its search, the audit log — in the same transaction.
/// </summary>
public class DisplayNameTests
{
    [Fact(Timeout = 60_000)]
    public async Task SettingYourName_TrimsIt_UpdatesTheMemberRowsAndSearchOfEveryOrganization_AndIsAudited()
    {
        await using var db = await TestDb.CreateAsync();
        var (acme, acmeOwner) = await db.CreateOrganizationAsync("Acme");
        var (globex, _) = await db.CreateOrganizationAsync("Globex");
        var project = await db.AddProjectAsync(acme);
        var eli = await db.AddMemberAsync(acme, Role.OrgMember, "eli@acme.example");
        await db.GrantAsync(acme, eli, Role.ProjectMember, project);
        await db.GrantAsync(globex, eli, Role.OrgBillingAdmin);

        var result = await Accounts(db, eli).SetDisplayNameAsync("  Eli Engineer  ");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("Eli Engineer", result.Value);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal("Eli Engineer", (await ctx.Users.SingleAsync(u => u.Id == eli)).DisplayName);
        var cached = await ctx.RoleAssignments.Where(r => r.PrincipalId == eli).Select(r => r.PrincipalName).ToListAsync();
        Assert.Equal(3, cached.Count);
        Assert.All(cached, name => Assert.Equal("Eli Engineer", name));

        // The member list shows and finds the new name (its search index follows the cached rows).
        var members = db.Service<MemberService>(acmeOwner);
        var found = (await members.SearchAsync(acme, new MemberQuery("Engineer"))).Value;
        Assert.Equal([eli], found.Items.Select(m => m.UserId));
        Assert.Equal("Eli Engineer", found.Items[0].Name);
        Assert.Equal("eli@acme.example", found.Items[0].Email);

        foreach (var orgId in new[] { acme, globex })
        {
            var change = Assert.Single(await db.AuditEventsAsync(orgId), e => e.Action == "account.display_name_changed");
            Assert.Equal(eli, change.ActorId);
            Assert.Equal(eli, change.TargetId);
            Assert.Equal("Eli Engineer (eli@acme.example)", change.TargetLabel);
            Assert.Equal("Eli Engineer (eli@acme.example)", change.ActorLabel);
            Assert.Contains("Eli Engineer", change.After);
        }
        Assert.True((await db.Services.GetRequiredService<AuditLog>().VerifyAsync(acme)).IsIntact);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("Eli\u0000Engineer")]
    [InlineData("Eli\nEngineer")]
    [InlineData("Eli\tEngineer")]
    [InlineData("\u001b[31mEli")]
    [InlineData("Eli\u0085Engineer")]
    public async Task AHostileName_IsRefusedOnTheNameField_AndNothingChanges(string hostile)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        Assert.True((await Accounts(db, owner).SetDisplayNameAsync("Olivia Owner")).IsSuccess);
        var eventsBefore = (await db.AuditEventsAsync(orgId)).Count;

        var result = await Accounts(db, owner).SetDisplayNameAsync(hostile);

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.Contains("control characters", result.Error?.For(DisplayNames.Field));
        await AssertUnchangedAsync(db, orgId, owner, "Olivia Owner", eventsBefore);
    }

    [Fact(Timeout = 60_000)]
    public async Task ANameOverTheLimit_IsRefusedSayingTheLimit_AndNothingChanges()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        Assert.True((await Accounts(db, owner).SetDisplayNameAsync("Olivia Owner")).IsSuccess);
        var eventsBefore = (await db.AuditEventsAsync(orgId)).Count;

        var result = await Accounts(db, owner).SetDisplayNameAsync(new string('x', DisplayNames.MaxLength + 1));

        Assert.Contains($"at most {DisplayNames.MaxLength} characters", result.Error?.For(DisplayNames.Field));
        Assert.True((await Accounts(db, owner).SetDisplayNameAsync(new string('x', DisplayNames.MaxLength))).IsSuccess);
        Assert.Equal(eventsBefore + 1, (await db.AuditEventsAsync(orgId)).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task ClearingYourName_ShowsYourEmailAgain_InTheMemberRows()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync(ownerEmail: "olivia@acme.example");
        Assert.True((await Accounts(db, owner).SetDisplayNameAsync("Olivia Owner")).IsSuccess);

        var result = await Accounts(db, owner).SetDisplayNameAsync("   ");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Null(result.Value);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Null((await ctx.Users.SingleAsync(u => u.Id == owner)).DisplayName);
        Assert.Equal("olivia@acme.example", await ctx.RoleAssignments.Where(r => r.PrincipalId == owner).Select(r => r.PrincipalName).SingleAsync());
        var cleared = (await db.AuditEventsAsync(orgId)).Last(e => e.Action == "account.display_name_changed");
        Assert.Equal("olivia@acme.example", cleared.TargetLabel);
    }

    [Fact(Timeout = 60_000)]
    public async Task SettingTheSameNameAgain_WritesNothing()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        Assert.True((await Accounts(db, owner).SetDisplayNameAsync("Olivia Owner")).IsSuccess);
        var eventsBefore = (await db.AuditEventsAsync(orgId)).Count;

        Assert.True((await Accounts(db, owner).SetDisplayNameAsync(" Olivia Owner")).IsSuccess);

        Assert.Equal(eventsBefore, (await db.AuditEventsAsync(orgId)).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task SettingAName_Anonymously_IsRefused()
    {
        await using var db = await TestDb.CreateAsync();

        Assert.Equal(ErrorKind.Forbidden, (await Accounts(db, null).SetDisplayNameAsync("Mallory")).Error?.Kind);
    }

    private static async Task AssertUnchangedAsync(TestDb db, Guid orgId, string userId, string name, int events)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal(name, (await ctx.Users.SingleAsync(u => u.Id == userId)).DisplayName);
        Assert.All(await ctx.RoleAssignments.Where(r => r.PrincipalId == userId).Select(r => r.PrincipalName).ToListAsync(), n => Assert.Equal(name, n));
        Assert.Equal(events, (await db.AuditEventsAsync(orgId)).Count);
    }

    private static AccountService Accounts(TestDb db, string? userId) => ActivatorUtilities.CreateInstance<AccountService>(db.As(userId).ServiceProvider);
}
