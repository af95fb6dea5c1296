using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Members;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Members;

/// <summary>Next/previous by keyset (issue 17): exactly the pages offset paging gives, in every keyset order, with ties.</summary>
public class MemberKeysetPagingTests
{
    [Fact(Timeout = 120_000)]
    public async Task NextAndPrevious_ByKeyset_WalkExactlyTheOffsetPages_InEveryOrder_WithTiedKeys()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync(ownerEmail: "owner@acme.example");
        for (var i = 0; i < 11; i++)
        {
            var role = i % 3 == 0 ? Role.OrgBillingAdmin : Role.OrgMember;
            var user = await db.AddMemberAsync(orgId, role, $"m{(i * 7) % 11:D2}@acme.example");
            if (i % 4 == 0) await db.GrantAsync(orgId, user, role == Role.OrgMember ? Role.OrgBillingAdmin : Role.OrgMember); // several roles, one row listed
            if (i == 5) db.Time.Advance(TimeSpan.FromMinutes(1)); // two groups of equal join times
        }
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            // Equal names: the email tie-break has to carry the keyset across them.
            await ctx.Database.ExecuteSqlRawAsync("""UPDATE "RoleAssignments" SET "PrincipalName" = 'Same Name' WHERE "PrincipalEmail" IN ('m02@acme.example', 'm03@acme.example', 'm07@acme.example', 'm09@acme.example')""");
            // Names that differ only in case, accents or spaces: a linguistic collation (PostgreSQL with ICU, say) orders
            // them unlike SQLite's binary one, and the keyset must follow the database's own order.
            foreach (var (name, email) in new[] { ("Émile", "m04"), ("emile", "m05"), ("Emile", "m06"), ("e mile", "m08"), ("EMILE", "m10") })
            {
                await ctx.Database.ExecuteSqlRawAsync("""UPDATE "RoleAssignments" SET "PrincipalName" = {0} WHERE "PrincipalEmail" = {1}""", name, email + "@acme.example");
            }
        }
        var members = db.Service<MemberService>(owner);

        foreach (var search in new string?[] { null, "acme", "m0", "user" })
        foreach (var sort in new[] { MemberSort.Email, MemberSort.Name, MemberSort.Joined })
        foreach (var descending in new[] { false, true })
        {
            var all = (await members.SearchAsync(orgId, new MemberQuery(search, sort, descending, 0, 100))).Value;
            Assert.True(all.TotalCount > 3, $"{search}: {all.TotalCount}");
            var pages = (all.TotalCount + 2) / 3;
            var query = new MemberQuery(search, sort, descending, 0, 3);
            var walked = (await members.SearchAsync(orgId, query)).Value.Items.ToList();
            var shown = walked.ToList();
            for (var page = 1; page < pages; page++)
            {
                var next = (await members.SearchAsync(orgId, query with { Page = page, From = MemberKeyset.After(shown[^1]) })).Value;
                Assert.Equal(all.TotalCount, next.TotalCount);
                Assert.Equal(all.Items.Skip(page * 3).Take(3).Select(m => m.Email), next.Items.Select(m => m.Email));
                // The offset page too (on PostgreSQL it picks the page's rows first, then projects only them).
                var offset = (await members.SearchAsync(orgId, query with { Page = page })).Value;
                Assert.Equal(all.Items.Skip(page * 3).Take(3), offset.Items);
                shown = next.Items.ToList();
                walked.AddRange(shown);
            }
            Assert.Equal(all.Items.Select(m => (m.Email, string.Join(",", m.Roles))), walked.Select(m => (m.Email, string.Join(",", m.Roles))));
            for (var page = pages - 2; page >= 0; page--)
            {
                var previous = (await members.SearchAsync(orgId, query with { Page = page, From = MemberKeyset.Before(shown[0]) })).Value;
                Assert.Equal(all.Items.Skip(page * 3).Take(3).Select(m => m.Email), previous.Items.Select(m => m.Email));
                shown = previous.Items.ToList();
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task AKeysetWithoutItsEmail_IsRefused_AndOrdersWithoutAnIndexedKey_PageByOffset()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync(ownerEmail: "owner@acme.example");
        await db.AddMemberAsync(orgId, Role.OrgMember, "ann@acme.example");
        await db.AddMemberAsync(orgId, Role.OrgMember, "bob@acme.example");
        var members = db.Service<MemberService>(owner);

        var forged = new MemberQuery(From: new MemberKeyset(null!, null!, default, true));
        Assert.Equal(ErrorKind.Validation, (await members.SearchAsync(orgId, forged)).Error?.Kind);
        // A hostile edge value is only a value to compare with: nothing breaks, nothing extra shows.
        var hostile = (await members.SearchAsync(orgId, new MemberQuery(PageSize: 2, From: new MemberKeyset("' OR 1=1 --", "%", default, true)))).Value;
        Assert.Equal(["ann@acme.example", "bob@acme.example"], hostile.Items.Select(m => m.Email));

        var byProjects = new MemberQuery(Sort: MemberSort.LastActive, Page: 1, PageSize: 2, From: new MemberKeyset("zzz", "zzz", default, true));
        var offsetPage = (await members.SearchAsync(orgId, byProjects with { From = null })).Value;
        Assert.Equal(offsetPage.Items.Select(m => m.Email), (await members.SearchAsync(orgId, byProjects)).Value.Items.Select(m => m.Email));
        Assert.Single(offsetPage.Items);
    }
}
