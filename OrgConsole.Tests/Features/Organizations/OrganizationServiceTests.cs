using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Organizations;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Organizations;

public class OrganizationServiceTests
{
    [Fact(Timeout = 30_000)]
    public async Task Create_MakesTheCreatorOwnerAndRecordsAnAuditEvent()
    {
        await using var db = await TestDb.CreateAsync();
        var userId = await db.CreateUserAsync("founder@test.example");

        var result = await db.Service<OrganizationService>(userId).CreateAsync("  Founders Inc  ");

        Assert.True(result.IsSuccess);
        var details = await db.Service<OrganizationService>(userId).GetAsync(result.Value);
        Assert.Equal("Founders Inc", details.Value.Name);
        Assert.Equal(Role.OrgOwner, details.Value.YourRole);
        var events = await db.AuditEventsAsync(result.Value);
        Assert.Equal("organization.created", Assert.Single(events).Action);
        Assert.Equal(userId, events[0].ActorId);
    }

    [Fact(Timeout = 30_000)]
    public async Task Create_SecondOrganizationBySameEmail_IsRefusedButMembershipElsewhereIsFine()
    {
        await using var db = await TestDb.CreateAsync();
        var userId = await db.CreateUserAsync("once@test.example");
        var orgs = db.Service<OrganizationService>(userId);
        Assert.True((await orgs.CreateAsync("First")).IsSuccess);

        var second = await orgs.CreateAsync("Second");

        Assert.Equal(ErrorKind.Conflict, second.Error?.Kind);
        Assert.Contains("only one organization", second.Error?.Message);
        Assert.False(await orgs.CanCreateAsync());
        // Belonging to other organizations is allowed.
        var (otherOrg, _) = await db.CreateOrganizationAsync("Other");
        await db.GrantAsync(otherOrg, userId, Role.OrgMember);
        Assert.Equal(2, (await orgs.ListMineAsync()).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task Create_InParallelBySameEmail_CreatesExactlyOne()
    {
        await using var db = await TestDb.CreateAsync();
        var userId = await db.CreateUserAsync("racer@test.example");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => db.Service<OrganizationService>(userId).CreateAsync($"Org {i}")));

        Assert.Single(results, r => r.IsSuccess);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal(1, await ctx.Organizations.CountAsync());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    [InlineData(null)]
    public async Task Create_BlankName_IsAValidationErrorAndCreatesNothing(string? name)
    {
        await using var db = await TestDb.CreateAsync();
        var userId = await db.CreateUserAsync("blank@test.example");

        var result = await db.Service<OrganizationService>(userId).CreateAsync(name);

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.NotNull(result.Error?.For("Name"));
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal(0, await ctx.Organizations.CountAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Create_NameLengthLimitIs512AfterTrimming()
    {
        await using var db = await TestDb.CreateAsync();
        var tooLong = await db.Service<OrganizationService>(await db.CreateUserAsync("a@test.example")).CreateAsync(new string('x', 513));
        var longest = await db.Service<OrganizationService>(await db.CreateUserAsync("b@test.example")).CreateAsync("  " + new string('y', 512) + "  ");

        Assert.Equal(ErrorKind.Validation, tooLong.Error?.Kind);
        Assert.True(longest.IsSuccess);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Role.OrgOwner, true)]
    [InlineData(Role.OrgMember, false)]
    [InlineData(Role.OrgBillingAdmin, false)]
    public async Task Rename_OnlyOwnersMay(Role role, bool allowed)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync("Before");
        var actor = await db.AddMemberAsync(orgId, role);

        var result = await db.Service<OrganizationService>(actor).RenameAsync(orgId, "After");

        Assert.Equal(allowed, result.IsSuccess);
        var name = (await db.Service<OrganizationService>(actor).GetAsync(orgId)).Value.Name;
        Assert.Equal(allowed ? "After" : "Before", name);
        var renamed = (await db.AuditEventsAsync(orgId)).Where(e => e.Action == "organization.renamed").ToList();
        Assert.Equal(allowed ? 1 : 0, renamed.Count);
        if (allowed)
        {
            Assert.Contains("Before", renamed[0].Before);
            Assert.Contains("After", renamed[0].After);
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData("")]
    [InlineData("  ")]
    public async Task Rename_InvalidName_ChangesNothing(string name)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Keep");

        var result = await db.Service<OrganizationService>(owner).RenameAsync(orgId, name);
        var tooLong = await db.Service<OrganizationService>(owner).RenameAsync(orgId, new string('z', 513));

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.Equal(ErrorKind.Validation, tooLong.Error?.Kind);
        Assert.Equal("Keep", (await db.Service<OrganizationService>(owner).GetAsync(orgId)).Value.Name);
    }

    [Fact(Timeout = 30_000)]
    public async Task Delete_IsRefusedWhileProjectsExist()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Busy");
        await db.AddProjectAsync(orgId);

        var result = await db.Service<OrganizationService>(owner).DeleteAsync(orgId, "Busy");

        Assert.Equal(ErrorKind.Conflict, result.Error?.Kind);
        Assert.Contains("project", result.Error?.Message);
        Assert.True((await db.Service<OrganizationService>(owner).GetAsync(orgId)).IsSuccess);
    }

    [Fact(Timeout = 60_000)]
    public async Task Delete_IsRefusedWhileAnInvoiceIsUnpaid()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Owes");
        await db.SetPlanAsync(orgId, Plan.Standard);
        db.Time.Advance(TimeSpan.FromDays(31));
        await db.Service<OrgConsole.Features.Billing.InvoiceService>(null).ClosePeriodsAsync(); // no card: November's invoice stays open

        var refused = await db.Service<OrganizationService>(owner).DeleteAsync(orgId, "Owes");

        Assert.Equal(ErrorKind.Conflict, refused.Error?.Kind);
        Assert.Contains("unpaid invoice", refused.Error?.Message);
        Assert.True((await db.Service<OrganizationService>(owner).GetAsync(orgId)).IsSuccess);
    }

    [Fact(Timeout = 60_000)]
    public async Task Details_CarryTheSupportPlan_AndAPaymentStatusFromUnpaidInvoices()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Standing");
        await db.SetPlanAsync(orgId, Plan.Standard);
        var orgs = db.Service<OrganizationService>(owner);
        Assert.Equal(("Active", OrgConsole.Features.Billing.SupportPlan.Free),
            ((await orgs.GetAsync(orgId)).Value.PaymentStatusAt(db.Time.GetUtcNow().UtcDateTime), (await orgs.GetAsync(orgId)).Value.SupportPlan));

        db.Time.Advance(TimeSpan.FromDays(31));
        await db.Service<OrgConsole.Features.Billing.InvoiceService>(null).ClosePeriodsAsync(); // no card: the invoice stays open
        Assert.Equal("PaymentPending", (await orgs.GetAsync(orgId)).Value.PaymentStatusAt(db.Time.GetUtcNow().UtcDateTime));
        Assert.Equal("PastDue", (await orgs.GetAsync(orgId)).Value.PaymentStatusAt(db.Time.GetUtcNow().UtcDateTime.AddDays(31)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Delete_NeedsTheExactName()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Exact Name");

        var result = await db.Service<OrganizationService>(owner).DeleteAsync(orgId, "exact name");

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.True((await db.Service<OrganizationService>(owner).GetAsync(orgId)).IsSuccess);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Role.OrgMember)]
    [InlineData(Role.OrgBillingAdmin)]
    public async Task Delete_NonOwnersAreRefused(Role role)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync("Safe");
        var actor = await db.AddMemberAsync(orgId, role);

        var result = await db.Service<OrganizationService>(actor).DeleteAsync(orgId, "Safe");

        Assert.Equal(ErrorKind.Forbidden, result.Error?.Kind);
        Assert.True((await db.Service<OrganizationService>(actor).GetAsync(orgId)).IsSuccess);
    }

    [Fact(Timeout = 30_000)]
    public async Task Delete_IsSoft_MembersLoseAccessAtOnce_AndThePurgeJobRemovesItAfterRetention()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Doomed");
        var member = await db.AddMemberAsync(orgId, Role.OrgMember);

        Assert.True((await db.Service<OrganizationService>(owner).DeleteAsync(orgId, "Doomed")).IsSuccess);

        Assert.Equal(ErrorKind.NotFound, (await db.Service<OrganizationService>(member).GetAsync(orgId)).Error?.Kind);
        Assert.Empty(await db.Service<OrganizationService>(owner).ListMineAsync());
        var system = db.Service<OrganizationService>(null);
        db.Time.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, await system.PurgeExpiredAsync());
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            Assert.True(await ctx.Organizations.AnyAsync(o => o.Id == orgId));
        }

        db.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await system.PurgeExpiredAsync());
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            Assert.False(await ctx.Organizations.AnyAsync(o => o.Id == orgId));
            Assert.False(await ctx.RoleAssignments.AnyAsync(r => r.OrganizationId == orgId));
        }
        // The audit trail outlives the organization.
        var actions = (await db.AuditEventsAsync(orgId)).Select(e => e.Action).ToList();
        Assert.Equal(["organization.created", "organization.deleted", "organization.purged"], actions);
    }

    [Fact(Timeout = 30_000)]
    public async Task SwitchTo_RemembersTheLastUsedOrganization()
    {
        await using var db = await TestDb.CreateAsync();
        var (first, _) = await db.CreateOrganizationAsync("A first");
        var (second, _) = await db.CreateOrganizationAsync("B second");
        var user = await db.AddMemberAsync(first, Role.OrgMember);
        await db.GrantAsync(second, user, Role.OrgBillingAdmin);
        var orgs = db.Service<OrganizationService>(user);

        Assert.Equal(first, await orgs.GetStartOrganizationAsync());
        Assert.True((await orgs.SwitchToAsync(second)).IsSuccess);

        Assert.Equal(second, await db.Service<OrganizationService>(user).GetStartOrganizationAsync());
    }

    /// <summary>
    /// Every page load of an organization says "remember this one" (issue 17): when it is already the one remembered, that
    /// is a read, not a write — on SQLite a write would queue each page view behind the single writer.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task SwitchTo_TheOrganizationAlreadyRemembered_WritesNothing()
    {
        var commands = new RecordedCommands();
        await using var db = await TestDb.CreateAsync(o => o.AddInterceptors(commands));
        var (first, _) = await db.CreateOrganizationAsync("A first");
        var (second, _) = await db.CreateOrganizationAsync("B second");
        var user = await db.AddMemberAsync(first, Role.OrgMember);
        await db.GrantAsync(second, user, Role.OrgBillingAdmin);
        var orgs = db.Service<OrganizationService>(user);
        Assert.True((await orgs.SwitchToAsync(second)).IsSuccess);

        commands.Watch();
        Assert.True((await orgs.SwitchToAsync(second)).IsSuccess);
        Assert.Empty(commands.Writes());

        Assert.True((await orgs.SwitchToAsync(first)).IsSuccess);
        Assert.Single(commands.Writes());
        Assert.Equal(first, await db.Service<OrganizationService>(user).GetStartOrganizationAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task SwitchTo_AForeignOrganization_IsNotFound()
    {
        await using var db = await TestDb.CreateAsync();
        var (foreign, _) = await db.CreateOrganizationAsync("Foreign");
        var (_, me) = await db.CreateOrganizationAsync("Mine");

        Assert.Equal(ErrorKind.NotFound, (await db.Service<OrganizationService>(me).SwitchToAsync(foreign)).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task ARoleChange_CountsOnTheVeryNextAction_OfAnAlreadyOpenSession()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Live");
        var coOwner = await db.AddMemberAsync(orgId, Role.OrgOwner);
        // The co-owner's console is open: one long-lived scope, like a Blazor circuit.
        await using var circuit = db.As(coOwner);
        var orgs = circuit.ServiceProvider.GetRequiredService<OrganizationService>();
        Assert.True((await orgs.RenameAsync(orgId, "Live 2")).IsSuccess);

        Assert.True((await db.Service<OrgConsole.Features.Members.MemberService>(owner).ChangeRoleAsync(orgId, coOwner, Role.OrgMember)).IsSuccess);
        Assert.Equal(ErrorKind.Forbidden, (await orgs.RenameAsync(orgId, "Live 3")).Error?.Kind);

        Assert.True((await db.Service<OrgConsole.Features.Members.MemberService>(owner).RemoveAsync(orgId, coOwner)).IsSuccess);
        Assert.Equal(ErrorKind.NotFound, (await orgs.GetAsync(orgId)).Error?.Kind);
    }
}
