using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Members;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Members;

/// <summary>
/// What one Members page read (a sort click, a page, a search) costs in connections (issue 17): through EF Core the access
/// check reads the viewer's roles on the same context and connection as the page, its count and the page's roles — one
/// open per call, not one for the check and another for the page; on SQLite an unfiltered page by offset (the list as it
/// opens, each sort click) opens none: the check and the page are prepared statements on the kept read connections. The
/// check comes first either way, and the roles are still read on every call, so a role removed between two clicks counts
/// at the second.
/// </summary>
public class MemberSearchConnectionTests
{
    private readonly RecordedCommands _commands = new();
    private readonly OpenedConnections _opens = new();

    private async Task<(TestDb Db, Guid OrgId, string OwnerId, string MemberId)> OrganizationAsync()
    {
        var db = await TestDb.CreateAsync(o => o.AddInterceptors(_commands, _opens));
        _commands.AlsoOn(db.KeptReads);
        var (orgId, owner) = await db.CreateOrganizationAsync(ownerEmail: "owner@acme.example");
        string member = "";
        foreach (var email in new[] { "ada@acme.example", "bo@acme.example", "cy@acme.example" }) member = await db.AddMemberAsync(orgId, Role.OrgMember, email);
        return (db, orgId, owner, member);
    }

    [Theory(Timeout = 120_000)]
    [InlineData(null, MemberSort.Name, 0, 25)]     // a sort click on a small organization
    [InlineData(null, MemberSort.Email, 0, 2)]     // a full page: the kept count is read too
    [InlineData("acme", MemberSort.Joined, 0, 2)]  // a search
    [InlineData("owner", MemberSort.Name, 0, 25)]  // a role name: the filter that is not a trigram search
    public async Task OnePageRead_OpensOneConnection_ForTheCheckAndThePage(string? search, MemberSort sort, int page, int size)
    {
        var (db, orgId, owner, _) = await OrganizationAsync();
        await using var _ = db;
        var members = db.Service<MemberService>(owner);
        _opens.Watch();
        _commands.Watch();

        var result = await members.SearchAsync(orgId, new MemberQuery(search, sort, Page: page, PageSize: size));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(db.KeptReads.Enabled && search is null ? 0 : 1, _opens.Count);
        var sql = _commands.Taken();
        Assert.Contains("\"Organizations\"", sql[0], StringComparison.Ordinal); // the access check comes first, on that connection
    }

    [Fact(Timeout = 120_000)]
    public async Task AKeysetPage_OpensOneConnection()
    {
        var (db, orgId, owner, _) = await OrganizationAsync();
        await using var _ = db;
        var members = db.Service<MemberService>(owner);
        var first = (await members.SearchAsync(orgId, new MemberQuery(null, MemberSort.Name, PageSize: 2))).Value;
        var edge = first.Items[^1];
        _opens.Watch();

        var next = await members.SearchAsync(orgId, new MemberQuery(null, MemberSort.Name, PageSize: 2, From: MemberKeyset.After(edge)));

        Assert.True(next.IsSuccess, next.Error?.Message);
        Assert.Equal(1, _opens.Count);
    }

    [Fact(Timeout = 120_000)]
    public async Task ARoleRemovedBetweenTwoClicks_CountsAtTheSecond_OnTheSameService()
    {
        var (db, orgId, owner, member) = await OrganizationAsync();
        await using var _ = db;
        var members = db.Service<MemberService>(member); // one circuit's service: the same instance for both clicks
        Assert.True((await members.SearchAsync(orgId, new MemberQuery(null))).IsSuccess);

        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.RoleAssignments.Where(r => r.OrganizationId == orgId && r.PrincipalId == member).ExecuteDeleteAsync();
        }
        var second = await members.SearchAsync(orgId, new MemberQuery(null, MemberSort.Email, Descending: true));

        Assert.False(second.IsSuccess);
        Assert.Equal(ErrorKind.NotFound, second.Error!.Kind);
    }

    [Fact(Timeout = 120_000)]
    public async Task AnotherOrganizationsMembers_AreNotFound_AndNoPageIsRead()
    {
        var (db, orgId, _, _) = await OrganizationAsync();
        await using var _ = db;
        var (_, outsider) = await db.CreateOrganizationAsync("Globex", "mallory@globex.example");
        var members = db.Service<MemberService>(outsider);
        _commands.Watch();

        var result = await members.SearchAsync(orgId, new MemberQuery(null));

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorKind.NotFound, result.Error!.Kind);
        Assert.DoesNotContain(_commands.Taken(), sql => sql.Contains("\"IsListed\"", StringComparison.Ordinal));
    }
}
