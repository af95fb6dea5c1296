using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Members;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Members;

public class MemberServiceTests
{
    [Fact(Timeout = 30_000)]
    public async Task Search_FindsByNameEmailOrRole_SortsAndPages()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync(ownerEmail: "zed.owner@test.example");
        var projectId = await db.AddProjectAsync(orgId);
        var ann = await db.AddMemberAsync(orgId, Role.OrgMember, "ann@test.example");
        await db.GrantAsync(orgId, ann, Role.ProjectMember, projectId);
        await db.AddMemberAsync(orgId, Role.OrgBillingAdmin, "bill@test.example");
        await db.AddMemberAsync(orgId, Role.OrgMember, "carl@other.example");
        var members = db.Service<MemberService>(ann);

        var byEmail = (await members.SearchAsync(orgId, new MemberQuery(PageSize: 2))).Value;
        var page2 = (await members.SearchAsync(orgId, new MemberQuery(Page: 1, PageSize: 2))).Value;
        var search = (await members.SearchAsync(orgId, new MemberQuery("TEST.EXAMPLE"))).Value;
        var billing = (await members.SearchAsync(orgId, new MemberQuery("billing"))).Value;
        var byProjects = (await members.SearchAsync(orgId, new MemberQuery(Sort: MemberSort.Projects, Descending: true))).Value;

        Assert.Equal(4, byEmail.TotalCount);
        Assert.Equal(["ann@test.example", "bill@test.example"], byEmail.Items.Select(m => m.Email));
        Assert.Equal(["carl@other.example", "zed.owner@test.example"], page2.Items.Select(m => m.Email));
        Assert.Equal(3, search.TotalCount);
        Assert.Equal("bill@test.example", Assert.Single(billing.Items).Email);
        Assert.Equal(("ann@test.example", 1), (byProjects.Items[0].Email, byProjects.Items[0].ProjectCount));
        Assert.Equal(ErrorKind.Validation, (await members.SearchAsync(orgId, new MemberQuery(PageSize: 0))).Error?.Kind);
        var (_, stranger) = await db.CreateOrganizationAsync("Other");
        Assert.Equal(ErrorKind.NotFound, (await db.Service<MemberService>(stranger).SearchAsync(orgId, new MemberQuery())).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExportCsv_HasTheFilteredMembers_AndDefusesFormulas()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var sneaky = await db.AddMemberAsync(orgId, Role.OrgMember, "sneaky@test.example");
        await using (var scope = db.As(null))
        {
            // Through the user manager, as the account pages change names: the member list's cached label follows.
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByIdAsync(sneaky))!;
            user.DisplayName = "=HYPERLINK(\"http://evil\")";
            Assert.True((await users.UpdateAsync(user)).Succeeded);
        }

        var csv = (await db.Service<MemberService>(owner).ExportCsvAsync(orgId, new MemberQuery("sneaky"))).Value;

        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal("name,email,role,projects,joined,last_active", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("\"'=HYPERLINK(\"\"http://evil\"\")\",sneaky@test.example,User,0,", lines[1]);
    }

    [Fact(Timeout = 30_000)]
    public async Task TransferOwnership_PromotesTheOtherMemberAndStepsDown_InOneGo()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var heir = await db.AddMemberAsync(orgId, Role.OrgBillingAdmin);

        Assert.Equal(ErrorKind.Validation, (await db.Service<MemberService>(owner).TransferOwnershipAsync(orgId, owner)).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await db.Service<MemberService>(heir).TransferOwnershipAsync(orgId, heir)).Error?.Kind);
        Assert.True((await db.Service<MemberService>(owner).TransferOwnershipAsync(orgId, heir)).IsSuccess);

        Assert.Equal(Role.OrgOwner, (await db.Service<Authorizer>(heir).GetAccessAsync(orgId))!.Role);
        Assert.Equal(Role.OrgMember, (await db.Service<Authorizer>(owner).GetAccessAsync(orgId))!.Role);
        Assert.Equal(1, await db.OwnerCountAsync(orgId));
        Assert.Contains(await db.AuditEventsAsync(orgId), e => e.Action == "organization.ownership_transferred");
    }

    [Fact]
    public void RoleChangeSummary_ListsWhatIsGainedAndLost()
    {
        var summary = RoleChangeSummary.Between(Role.OrgMember, Role.OrgBillingAdmin);

        Assert.Equal([Permission.ViewBillingDetails, Permission.UpdateBillingDetails, Permission.ViewUsageDetails, Permission.ViewSupportPlans], summary.Gained);
        Assert.Equal([Permission.CreateProjects], summary.Lost);
        Assert.Empty(RoleChangeSummary.Between(Role.OrgOwner, Role.OrgOwner).Gained);
    }

    [Fact(Timeout = 300_000)]
    public async Task Search_Over100000Members_ReturnsTheRightRows()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync(ownerEmail: "owner@acme.example");
        var projectId = await db.AddProjectAsync(orgId);
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await BulkMembers.AddAsync(ctx, orgId, 100_000, projectId);
        }
        var members = db.Service<MemberService>(owner);

        var first = (await members.SearchAsync(orgId, new MemberQuery(PageSize: 25))).Value;
        Assert.Equal(100_001, first.TotalCount);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"member{i:D6}@bulk.example"), first.Items.Select(m => m.Email));
        Assert.Equal(1, first.Items[0].ProjectCount);   // every third generated member is in the project
        Assert.Equal(0, first.Items[1].ProjectCount);

        var deep = (await members.SearchAsync(orgId, new MemberQuery(Page: 2000, PageSize: 25))).Value;
        Assert.Equal(Enumerable.Range(50_000, 25).Select(i => $"member{i:D6}@bulk.example"), deep.Items.Select(m => m.Email));

        var last = (await members.SearchAsync(orgId, new MemberQuery(Page: 4000, PageSize: 25))).Value;
        Assert.Equal("owner@acme.example", Assert.Single(last.Items).Email);

        var search = (await members.SearchAsync(orgId, new MemberQuery("member04242"))).Value;
        Assert.Equal(Enumerable.Range(42_420, 10).Select(i => $"member{i:D6}@bulk.example"), search.Items.Take(10).Select(m => m.Email));
        Assert.Equal(10, search.TotalCount);

        var billing = (await members.SearchAsync(orgId, new MemberQuery("billing admin", PageSize: 5))).Value;
        Assert.Equal(10_000, billing.TotalCount);
        Assert.All(billing.Items, m => Assert.Equal(Role.OrgBillingAdmin, m.Role));

        var newestFirst = (await members.SearchAsync(orgId, new MemberQuery(Sort: MemberSort.Joined, Descending: true, PageSize: 3))).Value;
        Assert.Equal("owner@acme.example", newestFirst.Items[0].Email);   // joined today, after every generated member
        Assert.Equal(["member099999@bulk.example", "member099998@bulk.example"], newestFirst.Items.Skip(1).Select(m => m.Email));

        var byNameDesc = (await members.SearchAsync(orgId, new MemberQuery(Sort: MemberSort.Name, Descending: true, PageSize: 1))).Value;
        await using var check = await db.DbFactory.CreateDbContextAsync();
        var expectedTopName = await check.Users.MaxAsync(u => u.DisplayName ?? u.Email); // every user here is a member
        Assert.Equal(expectedTopName, byNameDesc.Items[0].Name);
    }
}
