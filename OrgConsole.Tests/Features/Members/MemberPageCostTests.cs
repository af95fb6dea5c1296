using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Features.Members;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Members;

/// <summary>
/// What a members page costs the database (issue 15/17): a page by offset that comes back short is the list's last, so its
/// total is known without counting — the usual case for a search and for any organization smaller than a page — while a
/// full page, or an empty page past the end, still counts. The totals stay exact either way.
/// </summary>
public class MemberPageCostTests
{
    private readonly RecordedCommands _commands = new();

    private async Task<(TestDb Db, Guid OrgId, MemberService Members)> OrganizationOfFourAsync()
    {
        var db = await TestDb.CreateAsync(o => o.AddInterceptors(_commands));
        _commands.AlsoOn(db.KeptReads);
        var (orgId, owner) = await db.CreateOrganizationAsync(ownerEmail: "owner@acme.example");
        foreach (var email in new[] { "ada@acme.example", "bo@acme.example", "cy@acme.example" }) await db.AddMemberAsync(orgId, Role.OrgMember, email);
        return (db, orgId, db.Service<MemberService>(owner));
    }

    [Theory(Timeout = 120_000)]
    [InlineData(null, 0, 25, 4)]     // a small organization: one short page
    [InlineData("acme", 0, 25, 4)]   // a search whose matches fit on one page
    [InlineData(null, 1, 3, 4)]      // the last page of several, short
    [InlineData("acme", 1, 3, 4)]
    public async Task AShortPage_KnowsItsTotal_WithoutACount(string? search, int page, int size, int total)
    {
        var (db, orgId, members) = await OrganizationOfFourAsync();
        await using var _ = db;
        _commands.Watch();

        var result = (await members.SearchAsync(orgId, new MemberQuery(search, Page: page, PageSize: size))).Value;

        Assert.Equal(total, result.TotalCount);
        Assert.Equal(total - page * size, result.Items.Count);
        Assert.Empty(Counts());
    }

    [Theory(Timeout = 120_000)]
    [InlineData(null, 0, 2)]   // a full page: more may follow
    [InlineData("acme", 0, 2)]
    [InlineData(null, 5, 2)]   // past the end: an empty page proves nothing, so it counts
    [InlineData("acme", 5, 2)]
    [InlineData(null, 0, 4)]   // exactly full
    public async Task AFullOrEmptyPage_CountsOnce_AndTheTotalIsExact(string? search, int page, int size)
    {
        var (db, orgId, members) = await OrganizationOfFourAsync();
        await using var _ = db;
        _commands.Watch();

        var result = (await members.SearchAsync(orgId, new MemberQuery(search, Page: page, PageSize: size))).Value;

        Assert.Equal(4, result.TotalCount);
        Assert.Single(Counts());
    }

    /// <summary>The commands that count members: <c>SELECT COUNT(…)</c> over the list, or a read of the organization's kept member count.</summary>

    /// <summary>The count queries among the commands run (a count by SQL, or a read of the kept member count).</summary>
    private List<string> Counts() => _commands.Taken().Where(sql =>
        sql.StartsWith("SELECT COUNT(", StringComparison.OrdinalIgnoreCase) || sql.Contains("\"MemberCount\"", StringComparison.Ordinal)).ToList();
}
