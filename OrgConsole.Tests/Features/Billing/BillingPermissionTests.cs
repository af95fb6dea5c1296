using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Billing;
using OrgConsole.Tests.TestSupport;
using static OrgConsole.Tests.Features.Billing.BillingTestData;

namespace OrgConsole.Tests.Features.Billing;

/// <summary>Every billing operation × every organization role, plus a non-member: SPEC §1.1's billing rows.</summary>
public class BillingPermissionTests
{
    private sealed record Setup(Guid OrgId, Guid InvoiceId);

    private static readonly DateOnly From = new(2026, 10, 1), To = new(2026, 10, 31);

    private static readonly Dictionary<string, Func<IServiceProvider, Setup, Task<Result>>> Operations = new()
    {
        ["View billing"] = async (sp, s) => await sp.GetRequiredService<BillingService>().GetAsync(s.OrgId),
        ["Update billing details"] = async (sp, s) => await sp.GetRequiredService<BillingService>().UpdateDetailsAsync(s.OrgId,
            new BillingDetails("Name", "a@b.example", "Street 1", null, "City", null, "Country", null, null)),
        ["Add a card"] = async (sp, s) => await sp.GetRequiredService<BillingService>().SetPaymentMethodAsync(s.OrgId, Visa),
        ["Remove the card"] = async (sp, s) =>
        {
            // A paid plan keeps its card: move to the free plan first (which needs the same permission).
            var billing = sp.GetRequiredService<BillingService>();
            var starter = await billing.ChangePlanAsync(s.OrgId, Plan.Starter);
            return starter.IsSuccess ? await billing.RemovePaymentMethodAsync(s.OrgId) : starter;
        },
        ["Check a plan change"] = async (sp, s) => await sp.GetRequiredService<BillingService>().CheckPlanChangeAsync(s.OrgId, Plan.Enterprise),
        ["Change the plan"] = async (sp, s) => await sp.GetRequiredService<BillingService>().ChangePlanAsync(s.OrgId, Plan.Enterprise),
        ["View the support plan"] = async (sp, s) => await sp.GetRequiredService<BillingService>().GetSupportPlanAsync(s.OrgId),
        ["Change the support plan"] = async (sp, s) => await sp.GetRequiredService<BillingService>().ChangeSupportPlanAsync(s.OrgId, SupportPlan.Developer),
        ["Set the spend alert"] = async (sp, s) => await sp.GetRequiredService<BillingService>().UpdateSpendAlertAsync(s.OrgId, 100m, "a@b.example"),
        ["View usage"] = async (sp, s) => await sp.GetRequiredService<UsageService>().GetReportAsync(s.OrgId, From, To),
        ["Export usage"] = async (sp, s) => await sp.GetRequiredService<UsageService>().ExportCsvAsync(s.OrgId, From, To),
        ["List invoices"] = async (sp, s) => await sp.GetRequiredService<InvoiceService>().ListAsync(s.OrgId),
        ["View the draft invoice"] = async (sp, s) => await sp.GetRequiredService<InvoiceService>().GetDraftAsync(s.OrgId),
        ["View an invoice"] = async (sp, s) => await sp.GetRequiredService<InvoiceService>().GetAsync(s.OrgId, s.InvoiceId),
        ["Download the PDF"] = async (sp, s) => await sp.GetRequiredService<InvoiceService>().RenderPdfAsync(s.OrgId, s.InvoiceId),
        ["Download the CSV"] = async (sp, s) => await sp.GetRequiredService<InvoiceService>().RenderCsvAsync(s.OrgId, s.InvoiceId),
        ["Pay an invoice"] = async (sp, s) => await sp.GetRequiredService<InvoiceService>().PayAsync(s.OrgId, s.InvoiceId),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var op in Operations.Keys)
        {
            foreach (var who in new[] { "Owner", "Billing admin", "User", "Non-member" }) data.Add(op, who);
        }
        return data;
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Cases))]
    public async Task OwnersAndBillingAdminsMay_UsersAreForbidden_NonMembersSeeNothing(string operation, string who)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner, admin, project) = await db.StandardOrgAsync();
        await db.IngestAsync(Record("p1", project, "2026-10-05", "read_units", 1_000m));
        await db.Service<InvoiceService>(null).ClosePeriodsAsync();
        var invoiceId = (await db.Service<InvoiceService>(owner).ListAsync(orgId)).Value[1].Id!.Value;
        // An open invoice, so paying it is a real attempt.
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            var invoice = await ctx.Invoices.FindAsync(invoiceId);
            invoice!.Status = InvoiceStatus.Open;
            await ctx.SaveChangesAsync();
        }
        var (otherOrg, _) = await db.CreateOrganizationAsync("Elsewhere");
        var actor = who switch
        {
            "Owner" => owner,
            "Billing admin" => admin,
            "User" => await db.AddMemberAsync(orgId, Role.OrgMember),
            _ => await db.AddMemberAsync(otherOrg, Role.OrgOwner),
        };

        await using var scope = db.As(actor);
        var result = await Operations[operation](scope.ServiceProvider, new Setup(orgId, invoiceId));

        switch (who)
        {
            case "Owner" or "Billing admin":
                Assert.True(result.IsSuccess, $"{who} — {operation}: {result.Error?.Message}");
                break;
            case "User":
                Assert.Equal(ErrorKind.Forbidden, result.Error?.Kind);
                break;
            default:
                Assert.Equal(ErrorKind.NotFound, result.Error?.Kind);
                break;
        }
    }
}
