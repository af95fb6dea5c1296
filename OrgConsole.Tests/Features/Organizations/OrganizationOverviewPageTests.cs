using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Components.Shared;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Billing;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Organizations.Pages;
using OrgConsole.Features.Projects;
using OrgConsole.Features.Plans;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Organizations;

/// <summary>The overview shows each viewer the figures their role may see, from the services that own them.</summary>
public sealed class OrganizationOverviewPageTests : MudComponentTest
{
    private sealed record Seeded(TestDb Db, Guid OrgId, string OwnerId, Guid VisibleProject);

    /// <summary>
    /// Acme on Standard: two projects (the viewer holds a role on "Search" only), two pending invitations, one
    /// member with 2FA on, a million read units this month, and six audit events.
    /// </summary>
    private static async Task<Seeded> SeedAsync()
    {
        var db = await TestDb.CreateAsync();
        db.Time.SetUtcNow(new DateTimeOffset(2027, 3, 20, 12, 0, 0, TimeSpan.Zero));
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Overview", "olivia@acme.example");
        await db.SetPlanAsync(orgId, Plan.Standard);
        var projects = db.Service<ProjectService>(owner);
        var search = (await projects.CreateAsync(orgId, "Search")).Value;
        Assert.True((await projects.CreateAsync(orgId, "Recommendations")).IsSuccess);
        var invited = await db.Service<InvitationService>(owner)
            .InviteAsync(orgId, new InviteRequest(["ina@acme.example", "ivo@acme.example"], Role.OrgMember));
        Assert.True(invited.IsSuccess, invited.Error?.Message);
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            var ownerUser = await ctx.Users.SingleAsync(u => u.Id == owner);
            ownerUser.TwoFactorEnabled = true;
            ctx.UsageRecords.Add(new UsageRecord
            {
                RecordId = "r-1", OrganizationId = orgId, ProjectId = search, Day = new DateOnly(2027, 3, 2),
                Metric = UsageMetric.ReadUnits, Quantity = 1_000_000m,
            });
            ctx.UsageRecords.Add(new UsageRecord
            {
                RecordId = "r-old", OrganizationId = orgId, ProjectId = search, Day = new DateOnly(2027, 2, 27),
                Metric = UsageMetric.ReadUnits, Quantity = 5_000_000m,
            });
            await ctx.SaveChangesAsync();
        }
        return new Seeded(db, orgId, owner, search);
    }

    private async Task<IRenderedComponent<OrganizationOverview>> RenderAsync(Seeded seeded, string userId)
    {
        Context.Services.AddSingleton<TimeProvider>(seeded.Db.Time);
        var org = await SignInAsync(seeded.Db, seeded.OrgId, userId,
            [typeof(OrganizationService), typeof(ProjectService), typeof(AuditQueryService), typeof(UsageService), typeof(InvitationService)]);
        var page = Context.Render<OrganizationOverview>(p => p
            .Add(x => x.OrgId, seeded.OrgId)
            .AddCascadingValue(org));
        page.WaitForElement("h1");
        return page;
    }

    private static string Stat(IRenderedComponent<OrganizationOverview> page, string testId) =>
        page.Find($"[data-testid={testId}]").TextContent.Trim();

    [Fact(Timeout = 30_000)]
    public async Task Owner_SeesInvitations2faUsageChargesRecentActivityAndQuickActions()
    {
        var seeded = await SeedAsync();
        await using var _ = seeded.Db;
        var page = await RenderAsync(seeded, seeded.OwnerId);

        Assert.Contains("2", Stat(page, "stat-projects"));
        Assert.Contains("Pending invitations", Stat(page, "stat-pending-invitations"));
        Assert.EndsWith("2", Stat(page, "stat-pending-invitations"));
        // Olivia has 2FA on and is the only member.
        Assert.EndsWith("0", Stat(page, "stat-without-2fa"));
        // This month only (February's 5M reads are not counted): 1,000,000 reads at $0.000016 = $16.00.
        Assert.Contains("1,000,000 reads", Stat(page, "stat-usage"));
        Assert.Contains("$16.00", Stat(page, "stat-charges"));

        var recent = page.FindAll("[data-testid=recent-event]").Select(e => e.TextContent).ToList();
        Assert.Equal(5, recent.Count);
        // Newest first, named as people read them: the invitation of Ivo, then Ina, then the projects.
        Assert.Contains(recent, r => r.Contains("ivo@acme.example"));
        Assert.Contains(recent, r => r.Contains("Recommendations"));
        Assert.All(recent, r => Assert.Contains("olivia@acme.example", r));

        Assert.Equal($"/orgs/{seeded.OrgId}/members", page.Find("[data-testid=quick-invite]").GetAttribute("href"));
        Assert.Equal($"/orgs/{seeded.OrgId}/projects", page.Find("[data-testid=quick-new-project]").GetAttribute("href"));
        Assert.NotEmpty(page.FindAll("[data-testid=quick-api-keys]"));
    }

    [Fact(Timeout = 30_000)]
    public async Task MembersWithoutTwoFactor_AreCounted()
    {
        var seeded = await SeedAsync();
        await using var _ = seeded.Db;
        await seeded.Db.AddMemberAsync(seeded.OrgId, Role.OrgMember);
        await seeded.Db.AddMemberAsync(seeded.OrgId, Role.OrgBillingAdmin);
        var page = await RenderAsync(seeded, seeded.OwnerId);

        Assert.EndsWith("2", Stat(page, "stat-without-2fa"));
    }

    [Fact(Timeout = 30_000)]
    public async Task User_SeesOwnProjectCount_AndNothingTheirRoleMayNotSee()
    {
        var seeded = await SeedAsync();
        await using var _ = seeded.Db;
        var user = await seeded.Db.AddMemberAsync(seeded.OrgId, Role.OrgMember);
        await seeded.Db.GrantAsync(seeded.OrgId, user, Role.ProjectMember, seeded.VisibleProject);
        var page = await RenderAsync(seeded, user);

        Assert.Equal("Yourprojects1", string.Concat(Stat(page, "stat-projects").Where(c => !char.IsWhiteSpace(c))));
        Assert.Empty(page.FindAll("[data-testid=stat-pending-invitations]"));
        Assert.Empty(page.FindAll("[data-testid=stat-without-2fa]"));
        Assert.Empty(page.FindAll("[data-testid=stat-usage]"));
        Assert.Empty(page.FindAll("[data-testid=stat-charges]"));
        Assert.Empty(page.FindAll("[data-testid=recent-activity]"));
        Assert.Empty(page.FindAll("[data-testid=quick-invite]"));
        Assert.NotEmpty(page.FindAll("[data-testid=quick-new-project]"));
        Assert.DoesNotContain("$", page.Markup);
    }

    [Fact(Timeout = 30_000)]
    public async Task BillingAdmin_SeesUsageAndCharges_NotInvitationsAuditOr2fa()
    {
        var seeded = await SeedAsync();
        await using var _ = seeded.Db;
        var billing = await seeded.Db.AddMemberAsync(seeded.OrgId, Role.OrgBillingAdmin);
        var page = await RenderAsync(seeded, billing);

        Assert.Contains("$16.00", Stat(page, "stat-charges"));
        Assert.Empty(page.FindAll("[data-testid=stat-pending-invitations]"));
        Assert.Empty(page.FindAll("[data-testid=stat-without-2fa]"));
        Assert.Empty(page.FindAll("[data-testid=recent-activity]"));
        Assert.Empty(page.FindAll("[data-testid=quick-actions]"));
    }

    [Fact(Timeout = 30_000)]
    public async Task CountMembersWithoutTwoFactor_IsRefusedToNonOwners_AndToOtherOrganizations()
    {
        var seeded = await SeedAsync();
        await using var _ = seeded.Db;
        var member = await seeded.Db.AddMemberAsync(seeded.OrgId, Role.OrgMember);
        var (otherOrg, _) = await seeded.Db.CreateOrganizationAsync("Other");

        Assert.False((await seeded.Db.Service<OrganizationService>(member).CountMembersWithoutTwoFactorAsync(seeded.OrgId)).IsSuccess);
        Assert.False((await seeded.Db.Service<OrganizationService>(seeded.OwnerId).CountMembersWithoutTwoFactorAsync(otherOrg)).IsSuccess);
        Assert.Equal(1, (await seeded.Db.Service<OrganizationService>(seeded.OwnerId).CountMembersWithoutTwoFactorAsync(seeded.OrgId)).Value);
    }
}
