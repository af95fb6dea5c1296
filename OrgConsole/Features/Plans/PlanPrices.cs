namespace OrgConsole.Features.Plans;

/// <summary>The metered quantities (SPEC §5): per project, per day.</summary>
public enum UsageMetric
{
    ReadUnits,
    WriteUnits,
    StorageGbHours,
}

/// <summary>A plan's price list in US dollars. Written down once, in <see cref="PlanLimits"/>.</summary>
/// <param name="MonthlyFee">Charged every month on this plan.</param>
/// <param name="MonthlyMinimum">Usage charges below this are topped up to it.</param>
public sealed record PlanPrices(decimal MonthlyFee, decimal MonthlyMinimum, decimal PerReadUnit, decimal PerWriteUnit, decimal PerStorageGbHour)
{
    public static readonly PlanPrices Free = new(0m, 0m, 0m, 0m, 0m);

    public decimal UnitPrice(UsageMetric metric) => metric switch
    {
        UsageMetric.ReadUnits => PerReadUnit,
        UsageMetric.WriteUnits => PerWriteUnit,
        UsageMetric.StorageGbHours => PerStorageGbHour,
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };
}
