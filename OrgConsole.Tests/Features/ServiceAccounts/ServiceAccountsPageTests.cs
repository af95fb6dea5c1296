using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Components.Shared;
using OrgConsole.Features.ServiceAccounts;
using OrgConsole.Features.ServiceAccounts.Pages;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.ServiceAccounts;

/// <summary>The service accounts page for an owner, on Enterprise and on a plan without service accounts.</summary>
public sealed class ServiceAccountsPageTests : MudComponentTest
{
    private async Task<(IRenderedComponent<ServiceAccountsPage> Page, TestDb Db)> RenderAsync(Plan plan)
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Robots", "owner@robots.example");
        await db.SetPlanAsync(orgId, plan);
        if (plan == Plan.Enterprise)
        {
            Assert.True((await db.Service<ServiceAccountService>(owner).CreateAsync(orgId, "terraform", Role.OrgMember)).IsSuccess);
        }
        var org = await SignInAsync(db, orgId, owner, [typeof(ServiceAccountService)]);
        var page = Context.Render<ServiceAccountsPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));
        return (page, db);
    }

    [Fact(Timeout = 30_000)]
    public async Task OwnerOnEnterprise_SeesTheAccounts_AndCanCreateRotateAndDelete()
    {
        var (page, db) = await RenderAsync(Plan.Enterprise);
        await using var _ = db;

        page.WaitForAssertion(() => Assert.Contains("terraform", page.Markup), TimeSpan.FromSeconds(10));
        Assert.False(page.Find("[data-testid=create-service-account]").HasAttribute("disabled"));
        Assert.NotEmpty(page.FindAll("[data-testid=rotate-secret]"));
        Assert.NotEmpty(page.FindAll("[data-testid=delete-service-account]"));
        Assert.Empty(page.FindAll("[data-testid=upgrade-needed]"));
    }

    [Fact(Timeout = 30_000)]
    public async Task AnAccountWithTwoOrganizationRoles_IsOneRow_WithBothAsChips()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Robots", "owner@robots.example");
        await db.SetPlanAsync(orgId, Plan.Enterprise);
        var accounts = db.Service<ServiceAccountService>(owner);
        var id = (await accounts.CreateAsync(orgId, "terraform", Role.OrgMember)).Value.Account.Id;
        Assert.True((await accounts.AddOrgRoleAsync(orgId, id, Role.OrgBillingAdmin)).IsSuccess);
        var org = await SignInAsync(db, orgId, owner, [typeof(ServiceAccountService)]);

        var page = Context.Render<ServiceAccountsPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));

        page.WaitForAssertion(() => Assert.Contains("terraform", page.Markup), TimeSpan.FromSeconds(10));
        Assert.Single(page.FindAll("[data-testid=service-account-name]"));
        Assert.Equal(["User", "Billing admin"], page.FindAll("[data-testid=service-account-role-chip]").Select(c => c.TextContent.Trim()));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Plan.Starter)]
    [InlineData(Plan.Standard)]
    public async Task OwnerOnAnotherPlan_SeesWhyAndHowToUpgrade_AndNoCreateButton(Plan plan)
    {
        var (page, db) = await RenderAsync(plan);
        await using var _ = db;

        var notice = page.Find("[data-testid=upgrade-needed]");
        Assert.Contains("Enterprise", notice.TextContent);
        Assert.Contains("upgrade", notice.TextContent);
        // The plan lives under Billing → Plan, and the notice links there.
        Assert.Contains("Billing → Plan", notice.TextContent);
        Assert.DoesNotContain("Settings → Plan", notice.TextContent);
        Assert.Matches("^/orgs/[0-9a-f-]{36}/billing#plan$", page.Find("[data-testid=upgrade-link]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=create-service-account]"));
    }
}
