using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Members;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Members;

/// <summary>
/// Issue 17: on SQLite the access check and the unfiltered member pages by offset (the list as it opens, every sort click)
/// are prepared statements on the kept read connections, written by hand beside the EF Core queries they stand for. Rule:
/// they answer exactly what EF Core answers — every order, both directions, every page (ties, several roles, project
/// counts, last-active dates, names with commas and quotes) — and see every change at the next read.
/// </summary>
public class KeptMemberPagesTests
{
    private static async Task<string> AddAsync(TestDb db, Guid orgId, string email, string name, Role role, int minutesLater)
    {
        db.Time.Advance(TimeSpan.FromMinutes(minutesLater));
        var userId = await db.CreateUserAsync(email);
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.DisplayName, name));
        }
        await db.GrantAsync(orgId, userId, role);
        return userId;
    }

    private static async Task<(TestDb Db, Guid OrgId, string Owner)> OrganizationAsync()
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync(ownerEmail: "owner@acme.example");
        var search = await db.AddProjectAsync(orgId, "Search");
        var billing = await db.AddProjectAsync(orgId, "Billing");
        var sam1 = await AddAsync(db, orgId, "sam.b@acme.example", "Sam Lee", Role.OrgMember, 1);
        await AddAsync(db, orgId, "sam.a@acme.example", "Sam Lee", Role.OrgMember, 0); // same name and joined at the same minute: email breaks both ties
        var both = await AddAsync(db, orgId, "both@acme.example", "Bo Th", Role.OrgMember, 2);
        await db.GrantAsync(orgId, both, Role.OrgBillingAdmin); // two organization roles: one row, both chips
        await AddAsync(db, orgId, "quote@acme.example", "O'Brien, \"Bob\"", Role.OrgBillingAdmin, 3);
        await AddAsync(db, orgId, "zoe@acme.example", "Zoë Ängström", Role.OrgOwner, 4);
        var ann = await AddAsync(db, orgId, "ann@acme.example", "ann lowercase", Role.OrgMember, 5);
        await AddAsync(db, orgId, "eve@acme.example", "Eve", Role.OrgMember, 6);
        await db.GrantAsync(orgId, ann, Role.ProjectMember, search);
        await db.GrantAsync(orgId, ann, Role.ProjectOwner, billing);
        await db.GrantAsync(orgId, sam1, Role.ProjectMember, search);
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            var seen = new DateTime(2026, 11, 2, 8, 0, 0, DateTimeKind.Utc);
            await ctx.Users.Where(u => u.Id == ann || u.Id == both).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastActiveAt, seen));
            await ctx.Users.Where(u => u.Id == sam1).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastActiveAt, seen.AddHours(3)));
        }
        return (db, orgId, owner);
    }

    private static async Task<MemberPage> ThroughEfCoreAsync(TestDb db, MemberService members, Guid orgId, MemberQuery query)
    {
        db.KeptReads.Enabled = false;
        try
        {
            return (await members.SearchAsync(orgId, query)).Value;
        }
        finally
        {
            db.KeptReads.Enabled = true;
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task EveryOrderAndDirection_EveryPage_IsWhatEfCoreReads()
    {
        var (db, orgId, owner) = await OrganizationAsync();
        await using var _ = db;
        var members = db.Service<MemberService>(owner);
        Assert.True(db.KeptReads.Enabled);
        var compared = 0;

        foreach (var sort in Enum.GetValues<MemberSort>())
        {
            foreach (var descending in new[] { false, true })
            {
                for (var page = 0; page < 4; page++) // three pages of three (eight members), and one past the end
                {
                    var query = new MemberQuery(Sort: sort, Descending: descending, Page: page, PageSize: 3);
                    var runs = db.KeptReads.Runs;
                    var kept = (await members.SearchAsync(orgId, query)).Value;
                    Assert.True(db.KeptReads.Runs >= runs + 2, $"{sort} {descending}: the check and the page are kept reads");
                    var runsBefore = db.KeptReads.Runs;
                    var ef = await ThroughEfCoreAsync(db, members, orgId, query);
                    Assert.Equal(runsBefore, db.KeptReads.Runs);

                    Assert.Equal(ef.TotalCount, kept.TotalCount);
                    Assert.Equal(ef.Items, kept.Items); // by value, every role included
                    Assert.Equal(ef.Items.Select(i => i.JoinedAt.Kind), kept.Items.Select(i => i.JoinedAt.Kind));
                    compared += kept.Items.Count;
                }
            }
        }

        Assert.Equal(12 * 8, compared);
        var all = (await members.SearchAsync(orgId, new MemberQuery(PageSize: 25))).Value.Items;
        Assert.Equal([Role.OrgMember, Role.OrgBillingAdmin], all.Single(m => m.Email == "both@acme.example").Roles);
        Assert.Equal("O'Brien, \"Bob\"", all.Single(m => m.Email == "quote@acme.example").Name);
        Assert.Equal(2, all.Single(m => m.Email == "ann@acme.example").ProjectCount);
        Assert.Equal(["sam.a@acme.example", "sam.b@acme.example"],
            (await members.SearchAsync(orgId, new MemberQuery(Sort: MemberSort.Name, Descending: true, PageSize: 25))).Value.Items
                .Where(m => m.Name == "Sam Lee").Select(m => m.Email));
    }

    [Fact(Timeout = 60_000)]
    public async Task EveryKeptRead_IsParsedAndPlannedOnce_NotAgainForEachRunsValues()
    {
        // SQLite plans a statement again when a value bound to it was compared with a constant while planning (the access
        // check's "PrincipalType" = @principalType against the partial IX_Members_* indexes' 'User'), unless the
        // connection holds its plans stable: then every run of a kept read would parse its SQL again.
        var (db, orgId, owner) = await OrganizationAsync();
        await using var _ = db;
        var (otherOrg, outsider) = await db.CreateOrganizationAsync("Globex", "mallory@globex.example");
        var runs = db.KeptReads.Runs;

        for (var round = 0; round < 3; round++)
        {
            foreach (var (userId, org) in new[] { (owner, orgId), (outsider, otherOrg), (outsider, orgId) })
            {
                await db.Service<Authorizer>(userId).GetAccessAsync(org);
            }
            foreach (var sort in Enum.GetValues<MemberSort>())
            {
                for (var page = 0; page < 3; page++)
                {
                    Assert.True((await db.Service<MemberService>(owner).SearchAsync(orgId, new MemberQuery(Sort: sort, Descending: page == 1, Page: page, PageSize: 3))).IsSuccess);
                }
                Assert.True((await db.Service<MemberService>(outsider).SearchAsync(otherOrg, new MemberQuery(Sort: sort))).IsSuccess);
            }
        }

        Assert.True(db.KeptReads.Runs - runs > 100, "the access checks and the pages ran on kept connections");
        Assert.Equal(0, db.KeptReads.Reprepares());
    }

    [Fact(Timeout = 60_000)]
    public async Task AnOrderThatIsNotOne_IsAClearValidationError_OnBothPaths()
    {
        var (db, orgId, owner) = await OrganizationAsync();
        await using var _ = db;
        var members = db.Service<MemberService>(owner);
        var query = new MemberQuery(Sort: (MemberSort)99, Descending: true);

        var kept = await members.SearchAsync(orgId, query);
        db.KeptReads.Enabled = false;
        var ef = await members.SearchAsync(orgId, query);
        db.KeptReads.Enabled = true;

        Assert.Equal(ErrorKind.Validation, kept.Error?.Kind);
        Assert.NotNull(kept.Error!.For("Sort"));
        Assert.Equal(ErrorKind.Validation, ef.Error?.Kind);
        Assert.NotNull(ef.Error!.For("Sort"));
    }

    [Fact(Timeout = 60_000)]
    public async Task ARoleGrantedOrRemovedBetweenTwoClicks_ShowsAtTheSecond()
    {
        var (db, orgId, owner) = await OrganizationAsync();
        await using var _ = db;
        var members = db.Service<MemberService>(owner);
        var eve = (await members.SearchAsync(orgId, new MemberQuery(PageSize: 25))).Value.Items.Single(m => m.Email == "eve@acme.example");
        Assert.Equal([Role.OrgMember], eve.Roles);

        await db.GrantAsync(orgId, eve.UserId, Role.OrgOwner);
        var promoted = (await members.SearchAsync(orgId, new MemberQuery(Sort: MemberSort.Role, PageSize: 25))).Value.Items.Single(m => m.Email == "eve@acme.example");
        Assert.Equal(Role.OrgOwner, promoted.Role); // the listing row follows the most privileged role
        Assert.Equal([Role.OrgOwner, Role.OrgMember], promoted.Roles);

        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.RoleAssignments.Where(r => r.OrganizationId == orgId && r.PrincipalId == eve.UserId).ExecuteDeleteAsync();
        }
        var after = (await members.SearchAsync(orgId, new MemberQuery(Sort: MemberSort.Role, PageSize: 25))).Value;
        Assert.DoesNotContain(after.Items, m => m.Email == "eve@acme.example");
        Assert.Equal(7, after.TotalCount); // the owner and the six others left
    }

    [Fact(Timeout = 60_000)]
    public async Task TheAccessCheck_OnKeptReads_IsWhatEfCoreReads_ForEveryKindOfViewer()
    {
        var (db, orgId, owner) = await OrganizationAsync();
        await using var _ = db;
        var (otherOrg, outsider) = await db.CreateOrganizationAsync("Globex", "mallory@globex.example");
        string both;
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            both = (await ctx.Users.SingleAsync(u => u.Email == "both@acme.example")).Id;
        }

        async Task<(OrgAccess? Kept, OrgAccess? Ef)> BothWaysAsync(string userId, Guid org)
        {
            var kept = await db.Service<Authorizer>(userId).GetAccessAsync(org);
            db.KeptReads.Enabled = false;
            try
            {
                return (kept, await db.Service<Authorizer>(userId).GetAccessAsync(org));
            }
            finally
            {
                db.KeptReads.Enabled = true;
            }
        }

        foreach (var (userId, org) in new[] { (owner, orgId), (both, orgId), (outsider, orgId), (outsider, otherOrg), (owner, Guid.NewGuid()) })
        {
            var (kept, ef) = await BothWaysAsync(userId, org);
            Assert.Equal(ef is null, kept is null);
            if (ef is null) continue;
            Assert.Equal((ef.OrganizationName, ef.Plan, ef.Role), (kept!.OrganizationName, kept.Plan, kept.Role));
            Assert.Equal(ef.Roles, kept.Roles);
        }
        Assert.Equal([Role.OrgMember, Role.OrgBillingAdmin], (await BothWaysAsync(both, orgId)).Kept!.Roles);

        // A deleted organization is gone for its own owner at the next check, on both paths.
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Organizations.Where(o => o.Id == orgId).ExecuteUpdateAsync(o => o.SetProperty(x => x.DeletedAt, db.Time.GetUtcNow().UtcDateTime));
        }
        Assert.Equal((null, null), await BothWaysAsync(owner, orgId));
        Assert.Equal(ErrorKind.NotFound, (await db.Service<MemberService>(owner).SearchAsync(orgId, new MemberQuery())).Error?.Kind);
    }
}
