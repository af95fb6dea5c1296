using System.Globalization;

namespace OrgConsole.Features.Billing;

/// <summary>Round ("nice") axis steps for charts: 1, 2, 2.5 or 5 times a power of ten, so ticks read 100,000 / 200,000, never 131,072.</summary>
public static class ChartTicks
{
    /// <summary>The smallest nice step that covers <paramref name="max"/> in at most <paramref name="maxTicks"/> steps.</summary>
    public static double NiceStep(double max, int maxTicks = 5)
    {
        if (!(max > 0) || double.IsInfinity(max)) return 1;
        var raw = max / Math.Max(1, maxTicks);
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (var factor in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (factor * power >= raw) return Math.Max(1, factor * power);
        }
        return Math.Max(1, 10 * power);
    }

    /// <summary>The axis top: the first multiple of the step at or above the maximum.</summary>
    public static double NiceMax(double max, double step) => max > 0 ? Math.Ceiling(max / step) * step : step;

    /// <summary>A tick label with thousands separators: "200,000", "2.5".</summary>
    public static string Format(double value) => value.ToString("#,##0.##", CultureInfo.InvariantCulture);
}
