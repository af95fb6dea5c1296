using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Invitations;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Invitations;

/// <summary>The invitations tab's list: keyset pages newest first, tokens sealed to their organization, who sent each one.</summary>
public class InvitationPagingTests
{
    /// <summary>Seven invitations: three sent together (same instant, so the keyset's tie-break matters), then four one minute apart.</summary>
    private static async Task<List<string>> InviteSevenAsync(TestDb db, Guid orgId, string owner)
    {
        var invitations = db.Service<InvitationService>(owner);
        Assert.True((await invitations.InviteAsync(orgId, new InviteRequest(["a@page.example", "b@page.example", "c@page.example"], Role.OrgMember))).IsSuccess);
        foreach (var email in new[] { "d@page.example", "e@page.example", "f@page.example", "g@page.example" })
        {
            db.Time.Advance(TimeSpan.FromMinutes(1));
            Assert.True((await invitations.InviteAsync(orgId, new InviteRequest([email], Role.OrgMember))).IsSuccess);
        }
        return ["g@page.example", "f@page.example", "e@page.example", "d@page.example"];
    }

    [Fact(Timeout = 60_000)]
    public async Task Pages_WalkForwardAndBack_NewestFirst_EveryInvitationOnce()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var newest = await InviteSevenAsync(db, orgId, owner);
        var invitations = db.Service<InvitationService>(owner);

        var first = (await invitations.PageAsync(orgId, new InvitationPageRequest(3))).Value;
        Assert.Equal(newest.Take(3), first.Items.Select(r => r.Email));
        Assert.Equal((7, 0), (first.TotalCount, first.Start));
        Assert.Null(first.PreviousToken);

        var second = (await invitations.PageAsync(orgId, new InvitationPageRequest(3, first.NextToken))).Value;
        var third = (await invitations.PageAsync(orgId, new InvitationPageRequest(3, second.NextToken))).Value;
        Assert.Equal((3, 6), (second.Start, third.Start));
        Assert.Single(third.Items);
        Assert.Null(third.NextToken);
        var all = first.Items.Concat(second.Items).Concat(third.Items).Select(r => r.Email).ToList();
        Assert.Equal(7, all.Distinct().Count());
        Assert.Equal(newest, all.Take(4));

        var backToSecond = (await invitations.PageAsync(orgId, new InvitationPageRequest(3, third.PreviousToken))).Value;
        Assert.Equal(second.Items.Select(r => r.Id), backToSecond.Items.Select(r => r.Id));
        Assert.Equal(3, backToSecond.Start);
        var backToFirst = (await invitations.PageAsync(orgId, new InvitationPageRequest(3, backToSecond.PreviousToken))).Value;
        Assert.Equal(first.Items.Select(r => r.Id), backToFirst.Items.Select(r => r.Id));
        Assert.Equal(0, backToFirst.Start);
        Assert.Null(backToFirst.PreviousToken);
        Assert.NotNull(backToFirst.NextToken);
    }

    [Fact(Timeout = 60_000)]
    public async Task MoreThanAThousand_AreAllReachable()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            var now = db.Time.GetUtcNow().UtcDateTime;
            for (var i = 0; i < 1005; i++)
            {
                ctx.Invitations.Add(new Invitation
                {
                    Id = Guid.NewGuid(), OrganizationId = orgId, Email = $"bulk{i}@page.example", NormalizedEmail = $"BULK{i}@PAGE.EXAMPLE",
                    Roles = [new InvitationRole { OrganizationId = orgId, Role = Role.OrgMember, CreatedAt = now }],
                    TokenHash = Guid.NewGuid().ToString("N"), Status = InvitationStatus.Revoked, CreatedAt = now.AddSeconds(-i / 3),
                    CreatedByUserId = owner, ExpiresAt = now, LastSentAt = now,
                });
            }
            await ctx.SaveChangesAsync();
        }
        var invitations = db.Service<InvitationService>(owner);

        var seen = new HashSet<Guid>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = (await invitations.PageAsync(orgId, new InvitationPageRequest(100, token))).Value;
            Assert.Equal(pages * 100, page.Start);
            foreach (var row in page.Items) Assert.True(seen.Add(row.Id));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);
        Assert.Equal((1005, 11), (seen.Count, pages));
    }

    [Fact(Timeout = 60_000)]
    public async Task AnotherOrganizationsInvitations_NeverAppear_AndItsTokensAreRefused()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Ours");
        var (otherOrg, otherOwner) = await db.CreateOrganizationAsync("Theirs");
        await InviteSevenAsync(db, otherOrg, otherOwner);
        Assert.True((await db.Service<InvitationService>(owner).InviteAsync(orgId, new InviteRequest(["ours@page.example"], Role.OrgMember))).IsSuccess);
        // The same person owns both, so only the token (not the role) can keep the lists apart.
        await db.GrantAsync(otherOrg, owner, Role.OrgOwner);
        var invitations = db.Service<InvitationService>(owner);

        var ours = (await invitations.PageAsync(orgId, new InvitationPageRequest(3))).Value;
        Assert.Equal(["ours@page.example"], ours.Items.Select(r => r.Email));
        Assert.Equal(1, ours.TotalCount);
        var theirs = (await invitations.PageAsync(otherOrg, new InvitationPageRequest(3))).Value;
        Assert.NotNull(theirs.NextToken);

        var crossed = await invitations.PageAsync(orgId, new InvitationPageRequest(3, theirs.NextToken));
        Assert.Equal(ErrorKind.Validation, crossed.Error?.Kind);
        Assert.Contains("first page", crossed.Error?.Message);

        // A stranger to the organization learns nothing, token or not.
        var stranger = await db.CreateUserAsync("stranger@page.example");
        Assert.Equal(ErrorKind.NotFound, (await db.Service<InvitationService>(stranger).PageAsync(otherOrg, new InvitationPageRequest(3))).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await db.Service<InvitationService>(stranger).PageAsync(otherOrg, new InvitationPageRequest(3, theirs.NextToken))).Error?.Kind);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("garbage")]
    [InlineData("!!!not-base64!!!")]
    [InlineData("aW52aXRhdGlvbnM6MTAw")]
    [InlineData("edited")]
    [InlineData("other-size")]
    [InlineData("huge")]
    public async Task ForgedOrEditedTokens_AreRefusedCleanly(string kind)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await InviteSevenAsync(db, orgId, owner);
        var invitations = db.Service<InvitationService>(owner);
        var real = (await invitations.PageAsync(orgId, new InvitationPageRequest(3))).Value.NextToken!;
        var (token, size) = kind switch
        {
            "edited" => (real[..^3] + (real[^3] == 'A' ? 'B' : 'A') + real[^2..], 3),
            "other-size" => (real, 5),
            "huge" => (new string('A', 100_000), 3),
            _ => (kind, 3),
        };

        var result = await invitations.PageAsync(orgId, new InvitationPageRequest(size, token));

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(101)]
    public async Task PageSizesOutOfRange_AreRefused(int size)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        Assert.Equal(ErrorKind.Validation, (await db.Service<InvitationService>(owner).PageAsync(orgId, new InvitationPageRequest(size))).Error?.Kind);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Role.OrgMember)]
    [InlineData(Role.OrgBillingAdmin)]
    public async Task OnlyThoseWhoMaySeeInvitations_PageThem(Role role)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync();
        var actor = await db.AddMemberAsync(orgId, role);
        Assert.Equal(ErrorKind.Forbidden, (await db.Service<InvitationService>(actor).PageAsync(orgId, new InvitationPageRequest())).Error?.Kind);
    }

    [Fact(Timeout = 60_000)]
    public async Task Rows_NameWhoSentThem_DisplayNameFirst_AndSurviveTheirAccount()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync(ownerEmail: "olga@page.example");
        var second = await db.AddMemberAsync(orgId, Role.OrgOwner, "sam@page.example");
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Users.Where(u => u.Id == second).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, "Sam Sender"));
        }
        Assert.True((await db.Service<InvitationService>(owner).InviteAsync(orgId, new InviteRequest(["one@page.example"], Role.OrgMember))).IsSuccess);
        db.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await db.Service<InvitationService>(second).InviteAsync(orgId, new InviteRequest(["two@page.example"], Role.OrgMember))).IsSuccess);

        var rows = (await db.Service<InvitationService>(owner).PageAsync(orgId, new InvitationPageRequest())).Value.Items;
        Assert.Equal([("two@page.example", "Sam Sender"), ("one@page.example", "olga@page.example")], rows.Select(r => (r.Email, r.InvitedBy)));
        Assert.Equal(db.Time.GetUtcNow().UtcDateTime, rows[0].LastSentAt);
        Assert.Equal(rows[0].LastSentAt.AddDays(7), rows[0].ExpiresAt);

        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.RoleAssignments.Where(r => r.PrincipalId == second).ExecuteDeleteAsync();
            await ctx.Users.Where(u => u.Id == second).ExecuteDeleteAsync();
        }
        var after = (await db.Service<InvitationService>(owner).PageAsync(orgId, new InvitationPageRequest())).Value.Items;
        Assert.Equal("A deleted account", after.Single(r => r.Email == "two@page.example").InvitedBy);
    }
}
