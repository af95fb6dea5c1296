using OrgConsole.Access;
using OrgConsole.Features.Billing;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Billing;

/// <summary>Usage records and cards for billing tests.</summary>
internal static class BillingTestData
{
    public static readonly CardInput Visa = new("4242 4242 4242 4242", 12, 2030, "123", "Bea Billing");

    public static UsageRecordInput Record(string id, Guid projectId, string date, string metric, decimal? quantity) =>
        new(id, projectId.ToString(), date, metric, quantity);

    /// <summary>Stores usage through the ingestion service, as the metering pipeline would.</summary>
    public static async Task IngestAsync(this TestDb db, params UsageRecordInput[] records)
    {
        var result = await db.Service<UsageService>(null).IngestAsync(records);
        Assert.True(result.IsSuccess, result.Error?.Message);
    }

    /// <summary>An organization on the Standard plan with one project, a billing admin and a card on file.</summary>
    public static async Task<(Guid OrgId, string OwnerId, string BillingAdminId, Guid ProjectId)> StandardOrgAsync(this TestDb db, bool withCard = true)
    {
        var (orgId, owner) = await db.CreateOrganizationAsync("Billed Org");
        await db.SetPlanAsync(orgId, OrgConsole.Access.Plan.Standard);
        var admin = await db.AddMemberAsync(orgId, Role.OrgBillingAdmin);
        var project = await db.AddProjectAsync(orgId, "Search");
        if (withCard)
        {
            var card = await db.Service<BillingService>(admin).SetPaymentMethodAsync(orgId, Visa);
            Assert.True(card.IsSuccess, card.Error?.Message);
        }
        return (orgId, owner, admin, project);
    }
}
