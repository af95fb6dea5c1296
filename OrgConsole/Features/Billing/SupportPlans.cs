using OrgConsole.Features.Plans;

namespace OrgConsole.Features.Billing;

public enum SupportPlan
{
    Free,
    Developer,
    Pro,
    Enterprise,
}

/// <summary>What a support plan offers and costs per month. The one place support plans are written down.</summary>
public sealed record SupportPlanInfo(SupportPlan Plan, decimal MonthlyFee, string ResponseTime, string Channels)
{
    public static readonly IReadOnlyList<SupportPlanInfo> All =
    [
        new(SupportPlan.Free, 0m, "Best effort", "Community forum and documentation"),
        new(SupportPlan.Developer, 29.00m, "2 business days", "Email"),
        new(SupportPlan.Pro, 499.00m, "8 business hours", "Email and chat"),
        new(SupportPlan.Enterprise, 1500.00m, "1 hour, around the clock", "Email, chat, phone and a named engineer"),
    ];

    public static SupportPlanInfo For(SupportPlan plan) => All.First(p => p.Plan == plan);
}

public static class Money
{
    /// <summary>
    /// The rounding rule of every invoice, stated once: each line is quantity × unit price in exact decimal arithmetic,
    /// rounded to the cent, half away from zero; totals are sums of the rounded lines.
    /// </summary>
    public const string RoundingRule = "Each line is quantity × unit price, rounded to the cent (half away from zero); the total is the sum of the rounded lines.";

    public static decimal ToCents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    public static string Format(decimal amount) => amount.ToString("$#,##0.00;-$#,##0.00", System.Globalization.CultureInfo.InvariantCulture);

    public static string DisplayName(this UsageMetric metric) => metric switch
    {
        UsageMetric.ReadUnits => "Read units",
        UsageMetric.WriteUnits => "Write units",
        UsageMetric.StorageGbHours => "Storage (GB-hours)",
        _ => metric.ToString(),
    };

    /// <summary>The metric's name on the wire (usage ingestion, CSV).</summary>
    public static string WireName(this UsageMetric metric) => metric switch
    {
        UsageMetric.ReadUnits => "read_units",
        UsageMetric.WriteUnits => "write_units",
        UsageMetric.StorageGbHours => "storage_gb_hours",
        _ => metric.ToString(),
    };

    public static UsageMetric? ParseMetric(string? wire) => wire switch
    {
        "read_units" => UsageMetric.ReadUnits,
        "write_units" => UsageMetric.WriteUnits,
        "storage_gb_hours" => UsageMetric.StorageGbHours,
        _ => null,
    };
}
