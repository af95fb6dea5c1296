using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Components.Shared;
using OrgConsole.Features.Plans;
using OrgConsole.Features.ServiceAccounts;
using OrgConsole.Features.Sso;
using OrgConsole.Features.Sso.Pages;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Plans;

/// <summary>"Your plan does not include X" is one error kind and one message everywhere, and it says where the plan is changed.</summary>
public sealed class PlanGateTests : MudComponentTest
{
    private static async Task<Result> TryAsync(TestDb db, string feature, Guid orgId, string owner) => feature switch
    {
        "sso" => await db.Service<SsoService>(owner).SaveAsync(orgId,
            new SsoSettingsInput("https://idp.invalid/", "console", "a-client-secret-long-enough", "example.com", Role.OrgMember, EnforceSso: false)),
        "service accounts" => await db.Service<ServiceAccountService>(owner).CreateAsync(orgId, "ci", Role.OrgMember),
        _ => throw new ArgumentOutOfRangeException(nameof(feature)),
    };

    [Theory(Timeout = 60_000)]
    [InlineData("sso", Plan.Starter)]
    [InlineData("sso", Plan.Standard)]
    [InlineData("service accounts", Plan.Starter)]
    [InlineData("service accounts", Plan.Standard)]
    public async Task AFeatureThePlanDoesNotInclude_IsOneQuotaRefusal_ThatSaysWhereThePlanIsChanged(string feature, Plan plan)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, plan);

        var result = await TryAsync(db, feature, orgId, owner);

        Assert.Equal(ErrorKind.Quota, result.Error?.Kind);
        Assert.Contains($"part of the Enterprise plan; this organization is on the {plan} plan.", result.Error?.Message);
        Assert.EndsWith("An Owner or Billing admin can upgrade the plan under Billing → Plan.", result.Error?.Message);
    }

    [Fact]
    public void OnEnterprise_TheGateLetsBothThrough()
    {
        Assert.Null(PlanGate.SingleSignOn(Plan.Enterprise));
        Assert.Null(PlanGate.ServiceAccounts(Plan.Enterprise));
    }

    [Fact(Timeout = 30_000)]
    public async Task TheSsoPage_OnStandard_ShowsTheSameMessage_AndLinksToBillingPlan()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, Plan.Standard);
        var scope = db.As(owner);
        Context.Services.AddScoped(_ => scope.ServiceProvider.GetRequiredService<SsoService>());
        RenderProviders();
        var access = (await scope.ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId))!;

        var page = Context.Render<SsoSettingsPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(new OrgContext(access, () => Task.CompletedTask)));

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=sso-upgrade]")), TimeSpan.FromSeconds(10));
        Assert.Contains(SsoService.UpgradeMessage(Plan.Standard), page.Find("[data-testid=sso-upgrade]").TextContent);
        Assert.Equal(PlanGate.ChangePlanHref(orgId), page.Find("[data-testid=upgrade-link]").GetAttribute("href"));
    }
}
