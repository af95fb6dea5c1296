using OrgConsole.Access;
using OrgConsole.Features.Billing;
using OrgConsole.Features.Plans;

namespace OrgConsole.Tests.Features.Billing;

public sealed class InvoiceMathTests
{
    private static readonly Guid Search = Guid.NewGuid();

    [Fact]
    public void StandardPlan_SmallUsage_RoundsEachLineAndTopsUpToTheMinimum()
    {
        var draft = InvoiceMath.Compute(Plan.Standard, SupportPlan.Free,
        [
            new UsageTotal(Search, "Search", UsageMetric.ReadUnits, 1_234_567m),     // 19.753072 -> 19.75
            new UsageTotal(Search, "Search", UsageMetric.WriteUnits, 2_500_001m),    // 10.000004 -> 10.00
            new UsageTotal(Search, "Search", UsageMetric.StorageGbHours, 1_000.5m),  //  0.450225 ->  0.45
        ]);

        Assert.Equal(["Standard plan, monthly fee", "Search: Read units", "Search: Write units", "Search: Storage (GB-hours)",
            "Monthly minimum top-up (minimum $50.00)"], draft.Lines.Select(l => l.Description));
        Assert.Equal([25.00m, 19.75m, 10.00m, 0.45m, 19.80m], draft.Lines.Select(l => l.Amount));
        Assert.Equal(30.20m, draft.UsageCharges);
        Assert.Equal(75.00m, draft.Total);
    }

    [Fact]
    public void Rounding_IsToTheCent_HalfAwayFromZero()
    {
        var draft = InvoiceMath.Compute(Plan.Standard, SupportPlan.Free,
        [
            new UsageTotal(Search, "A", UsageMetric.WriteUnits, 1_250m),  // 0.005 -> 0.01 (banker's rounding would give 0.00)
            new UsageTotal(Search, "B", UsageMetric.WriteUnits, 6_250m),  // 0.025 -> 0.03 (banker's rounding would give 0.02)
        ]);

        Assert.Equal(0.01m, draft.Lines.Single(l => l.Description == "A: Write units").Amount);
        Assert.Equal(0.03m, draft.Lines.Single(l => l.Description == "B: Write units").Amount);
        Assert.Equal(0.04m, draft.UsageCharges);
    }

    [Fact]
    public void UsageAboveTheMinimum_HasNoTopUp_AndTheSupportPlanIsALine()
    {
        var draft = InvoiceMath.Compute(Plan.Standard, SupportPlan.Developer,
            [new UsageTotal(Search, "Search", UsageMetric.ReadUnits, 10_000_000m)]); // 160.00

        Assert.DoesNotContain(draft.Lines, l => l.Description.StartsWith("Monthly minimum", StringComparison.Ordinal));
        Assert.Contains(draft.Lines, l => l.Description == "Developer support plan, monthly fee" && l.Amount == 29.00m);
        Assert.Equal(25.00m + 29.00m + 160.00m, draft.Total);
    }

    [Fact]
    public void StarterPlan_IsFree()
    {
        var draft = InvoiceMath.Compute(Plan.Starter, SupportPlan.Free,
            [new UsageTotal(Search, "Search", UsageMetric.ReadUnits, 5_000_000m)]);

        Assert.Equal(0m, draft.Total);
        Assert.All(draft.Lines, l => Assert.Equal(0m, l.Amount));
    }

    [Fact]
    public void TheTotalIsTheSumOfTheRoundedLines()
    {
        var usage = Enumerable.Range(0, 7).Select(i => new UsageTotal(Guid.NewGuid(), $"P{i}", UsageMetric.StorageGbHours, 1_111.111m * (i + 1))).ToList();

        var draft = InvoiceMath.Compute(Plan.Enterprise, SupportPlan.Pro, usage);

        Assert.Equal(draft.Lines.Sum(l => l.Amount), draft.Total);
        Assert.All(draft.Lines, l => Assert.Equal(Math.Round(l.Amount, 2), l.Amount));
    }
}
