using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Features.Billing;
using OrgConsole.Tests.TestSupport;
using static OrgConsole.Tests.Features.Billing.BillingTestData;

namespace OrgConsole.Tests.Features.Billing;

public class PlanChangeTests
{
    [Fact(Timeout = 60_000)]
    public async Task Downgrade_TheOrganizationDoesNotFit_IsRefusedWithTheListOfWhatToChange()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner, admin, project) = await db.StandardOrgAsync();
        await db.AddProjectAsync(orgId, "Analytics");
        for (var i = 0; i < 4; i++) await db.AddMemberAsync(orgId, Role.OrgMember); // owner + admin + 4 = 6 people
        var key = await db.Service<ApiKeyService>(owner).CreateAsync(orgId, project, "ci", [Role.ControlPlaneEditor]);
        Assert.True(key.IsSuccess, key.Error?.Message);

        var check = (await db.Service<BillingService>(admin).CheckPlanChangeAsync(orgId, Plan.Starter)).Value;
        var change = await db.Service<BillingService>(admin).ChangePlanAsync(orgId, Plan.Starter);

        Assert.False(check.Allowed);
        Assert.Equal(3, check.Blockers.Count);
        Assert.Contains(check.Blockers, b => b.StartsWith("Delete 1 project: the Starter plan allows 1 and the organization has 2.", StringComparison.Ordinal));
        Assert.Contains(check.Blockers, b => b.StartsWith("Remove 1 member:", StringComparison.Ordinal));
        Assert.Contains(check.Blockers, b => b.Contains("API keys") && b.EndsWith(": ci.", StringComparison.Ordinal));
        Assert.Equal(ErrorKind.Conflict, change.Error?.Kind);
        Assert.Contains("Delete 1 project", change.Error?.Message);
        Assert.Equal(Plan.Standard, (await db.Service<BillingService>(admin).GetAsync(orgId)).Value.Plan);
    }

    [Fact(Timeout = 60_000)]
    public async Task Downgrade_OnceTheOrganizationFits_ChangesThePlanAndIsAudited()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _, admin, _) = await db.StandardOrgAsync();

        var change = await db.Service<BillingService>(admin).ChangePlanAsync(orgId, Plan.Starter);

        Assert.True(change.IsSuccess, change.Error?.Message);
        Assert.Equal(Plan.Starter, (await db.Service<BillingService>(admin).GetAsync(orgId)).Value.Plan);
        var evt = Assert.Single(await db.AuditEventsAsync(orgId), e => e.Action == "billing.plan_changed");
        Assert.Contains("Standard", evt.Before);
        Assert.Contains("Starter", evt.After);
    }

    [Fact(Timeout = 60_000)]
    public async Task Upgrade_ToAPaidPlan_NeedsAPaymentMethod()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync(); // Starter, no card
        var billing = db.Service<BillingService>(owner);

        var refused = await billing.ChangePlanAsync(orgId, Plan.Enterprise);
        Assert.Contains("Add a payment method", refused.Error?.Message);
        Assert.True((await billing.SetPaymentMethodAsync(orgId, Visa)).IsSuccess);
        var upgraded = await billing.ChangePlanAsync(orgId, Plan.Enterprise);

        Assert.True(upgraded.IsSuccess, upgraded.Error?.Message);
        Assert.Equal(Plan.Enterprise, (await billing.GetAsync(orgId)).Value.Plan);
    }

    [Fact(Timeout = 60_000)]
    public async Task BillingDetails_AreValidatedInline_AndSavedTrimmed()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _, admin, _) = await db.StandardOrgAsync(withCard: false);
        var billing = db.Service<BillingService>(admin);

        var bad = await billing.UpdateDetailsAsync(orgId, new BillingDetails("", "not-an-email", "1 Main St", null, "", null, "US", "bad<tax>", "ok@x.example, nope"));
        Assert.Equal(ErrorKind.Validation, bad.Error?.Kind);
        Assert.Equal(["City", "ContactEmail", "ContactName", "ExtraInvoiceRecipients", "TaxId"], bad.Error?.Fields?.Keys.Order());

        var good = await billing.UpdateDetailsAsync(orgId, new BillingDetails(" Bea ", "bea@acme.example", "1 Main St", null, "Springfield", "12345", "US", "DE123456789", "ap@acme.example;cfo@acme.example"));
        Assert.True(good.IsSuccess, good.Error?.Message);
        var details = (await billing.GetAsync(orgId)).Value.Details;
        Assert.Equal("Bea", details.ContactName);
        Assert.Equal("ap@acme.example, cfo@acme.example", details.ExtraInvoiceRecipients);
        Assert.Single(await db.AuditEventsAsync(orgId), e => e.Action == "billing.details_updated");
    }

    [Fact(Timeout = 60_000)]
    public async Task PaidSupportPlan_NeedsACard_AndTheChangeIsAudited()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var billing = db.Service<BillingService>(owner);

        Assert.Contains("payment method", (await billing.ChangeSupportPlanAsync(orgId, SupportPlan.Pro)).Error?.Message);
        Assert.True((await billing.SetPaymentMethodAsync(orgId, Visa)).IsSuccess);
        Assert.True((await billing.ChangeSupportPlanAsync(orgId, SupportPlan.Pro)).IsSuccess);

        Assert.Equal(SupportPlan.Pro, (await billing.GetSupportPlanAsync(orgId)).Value);
        Assert.Single(await db.AuditEventsAsync(orgId), e => e.Action == "billing.support_plan_changed");
    }

    [Fact(Timeout = 30_000)]
    public async Task Downgrade_FromEnterprise_IsRefusedWhileSingleSignOnIsConfigured()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner, admin, _) = await db.StandardOrgAsync();
        await db.SetPlanAsync(orgId, OrgConsole.Access.Plan.Enterprise);
        var saved = await db.Service<OrgConsole.Features.Sso.SsoService>(owner).SaveAsync(orgId,
            new("https://login.downgrade.example", "orgconsole", "a-client-secret-of-some-length", "downgrade.example", Role.OrgMember, false));
        Assert.True(saved.IsSuccess, saved.Error?.Message);

        var check = (await db.Service<BillingService>(admin).CheckPlanChangeAsync(orgId, OrgConsole.Access.Plan.Standard)).Value;

        Assert.Contains(check.Blockers, b => b.Contains("single sign-on"));
        Assert.False((await db.Service<BillingService>(admin).ChangePlanAsync(orgId, OrgConsole.Access.Plan.Standard)).IsSuccess);
    }
}
