using OrgConsole.Access;
using OrgConsole.Features.Plans;

namespace OrgConsole.Features.Billing;

/// <summary>A period's usage of one metric by one project, summed.</summary>
public sealed record UsageTotal(Guid ProjectId, string ProjectName, UsageMetric Metric, decimal Quantity);

public sealed record InvoiceLineDraft(string Description, decimal Quantity, decimal UnitPrice, decimal Amount);

public sealed record InvoiceDraft(IReadOnlyList<InvoiceLineDraft> Lines, decimal UsageCharges, decimal Total);

/// <summary>
/// The invoice arithmetic, in one pure function so it can be tested on fixed numbers. Exact <see cref="decimal"/>
/// math; the rounding rule is <see cref="Money.RoundingRule"/>.
/// </summary>
public static class InvoiceMath
{
    public static InvoiceDraft Compute(Plan plan, SupportPlan supportPlan, IEnumerable<UsageTotal> usage)
    {
        var prices = PlanLimits.For(plan).Prices;
        var lines = new List<InvoiceLineDraft>
        {
            new($"{plan} plan, monthly fee", 1, prices.MonthlyFee, Money.ToCents(prices.MonthlyFee)),
        };
        var support = SupportPlanInfo.For(supportPlan);
        if (support.MonthlyFee > 0)
        {
            lines.Add(new($"{supportPlan} support plan, monthly fee", 1, support.MonthlyFee, Money.ToCents(support.MonthlyFee)));
        }

        var usageCharges = 0m;
        foreach (var total in usage.Where(u => u.Quantity != 0).OrderBy(u => u.ProjectName, StringComparer.OrdinalIgnoreCase).ThenBy(u => u.ProjectId).ThenBy(u => u.Metric))
        {
            var unitPrice = prices.UnitPrice(total.Metric);
            var amount = Money.ToCents(total.Quantity * unitPrice);
            usageCharges += amount;
            lines.Add(new($"{total.ProjectName}: {total.Metric.DisplayName()}", total.Quantity, unitPrice, amount));
        }

        if (usageCharges < prices.MonthlyMinimum)
        {
            var topUp = prices.MonthlyMinimum - usageCharges;
            lines.Add(new($"Monthly minimum top-up (minimum {Money.Format(prices.MonthlyMinimum)})", 1, topUp, topUp));
        }

        return new InvoiceDraft(lines, usageCharges, lines.Sum(l => l.Amount));
    }
}
