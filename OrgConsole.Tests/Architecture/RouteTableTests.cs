using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace OrgConsole.Tests.Architecture;

/// <summary>Links to organization pages are built from route tables (OrgRoutes, a feature's *Routes), never written inline.</summary>
public sealed partial class RouteTableTests
{
    private static string ThisFile([CallerFilePath] string path = "") => path;

    [GeneratedRegex("\"/orgs/")]
    private static partial Regex OrgUrl();

    [Fact]
    public void NoPageOrServiceWritesAnOrganizationUrlInline()
    {
        var app = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", "OrgConsole"));
        var inline = Directory.EnumerateFiles(app, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
                        && !f.EndsWith("Routes.cs", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(app, f), Line: i + 1, Text: line.Trim())))
            .Where(l => OrgUrl().IsMatch(l.Text)
                        && !l.Text.StartsWith("@page", StringComparison.Ordinal) // the route itself
                        && !l.Text.Contains("MapGet(", StringComparison.Ordinal) // an endpoint's route template
                        && !l.Text.Contains("ChangePlanHref", StringComparison.Ordinal)) // the plan gate's one link (Plans sits below Billing)
            .ToList();

        Assert.Empty(inline);
    }
}
