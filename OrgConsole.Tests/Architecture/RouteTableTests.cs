using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using OrgConsole.Features.Billing;
using OrgConsole.Features.Plans;

namespace OrgConsole.Tests.Architecture;

/// <summary>
/// One route table per feature (<c>MembersRoutes</c>, <c>BillingRoutes</c>, … beside the feature): a page's <c>[Route]</c> and
/// every link to it come from its feature's table, never written inline.
/// </summary>
public sealed partial class RouteTableTests
{
    private static string ThisFile([CallerFilePath] string path = "") => path;

    [GeneratedRegex("\"/orgs/")]
    private static partial Regex OrgUrl();

    private static readonly string App = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", "OrgConsole"));

    private static IEnumerable<(string File, int Line, string Text)> SourceLines(string extension) =>
        Directory.EnumerateFiles(App, "*" + extension, SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(App, f), Line: i + 1, Text: line.Trim().TrimStart('\uFEFF'))));

    [GeneratedRegex(@"^@page\b|\[Route\(\s*(@|\$)?""")]
    private static partial Regex InlineRouteTemplate();

    /// <summary>Every routable component of the app with its route templates.</summary>
    private static IEnumerable<(Type Page, string Template)> RoutablePages() =>
        typeof(OrgConsole.Components.App).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>(inherit: false).Select(r => (t, r.Template)));

    /// <summary>The feature a page belongs to: its namespace up to <c>.Pages</c> (<c>OrgConsole.Features.Members.Pages</c> → <c>OrgConsole.Features.Members</c>).</summary>
    private static string FeatureOf(Type page)
    {
        var ns = page.Namespace ?? "";
        var pages = ns.IndexOf(".Pages", StringComparison.Ordinal);
        return pages < 0 ? ns : ns[..pages];
    }

    /// <summary>The templates a feature's route tables declare: the public constants of its static <c>*Routes</c> classes.</summary>
    private static HashSet<string> TemplatesOf(string feature) =>
        typeof(OrgConsole.Components.App).Assembly.GetTypes()
            .Where(t => t.Namespace == feature && t is { IsAbstract: true, IsSealed: true } && t.Name.EndsWith("Routes", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void ThePagesAreFound() => Assert.Contains(RoutablePages(), p => p.Template == "/orgs/{OrgId:guid}/members");

    [Fact]
    public void NoPageWritesItsRouteTemplateInline() =>
        Assert.DoesNotContain(SourceLines(".razor"), l => InlineRouteTemplate().IsMatch(l.Text));

    [Fact]
    public void EveryPagesRoute_ComesFromItsFeaturesRouteTable()
    {
        var strays = RoutablePages()
            .Where(p => !TemplatesOf(FeatureOf(p.Page)).Contains(p.Template))
            .Select(p => $"{p.Page.FullName}: {p.Template} is in no *Routes class of {FeatureOf(p.Page)}")
            .ToList();

        Assert.Empty(strays);
    }

    [Fact]
    public void ALinkIsItsPagesTemplateFilledIn()
    {
        var (org, project) = (Guid.NewGuid(), Guid.NewGuid());

        Assert.Equal($"/orgs/{org}/projects/{project}", OrgConsole.Features.Projects.ProjectsRoutes.Project(org, project));
        Assert.Equal($"/orgs/{org}/billing/invoices/draft", BillingRoutes.Invoice(org, null));
        Assert.Equal(org, OrgConsole.Components.Layout.OrgRoutes.OrganizationIdOf("https://console.test" + OrgConsole.Features.Members.MembersRoutes.Members(org)));
        Assert.Throws<ArgumentException>(() => OrgConsole.Components.Layout.OrgRoutes.Link(OrgConsole.Features.Projects.ProjectsRoutes.ProjectPage, org));
    }

    /// <summary>Plans sits below Billing, so the plan gate writes its one link itself; it must still be the billing page's plan section.</summary>
    [Fact]
    public void ThePlanGatesLink_IsTheBillingPagesPlanSection()
    {
        var org = Guid.NewGuid();
        Assert.Equal(BillingRoutes.Billing(org) + "#plan", PlanGate.ChangePlanHref(org));
    }

    [Fact]
    public void NoPageOrServiceWritesAnOrganizationUrlInline()
    {
        var inline = SourceLines(".cs").Concat(SourceLines(".razor"))
            .Where(l => !l.File.EndsWith("Routes.cs", StringComparison.Ordinal))
            .Where(l => OrgUrl().IsMatch(l.Text)
                        && !l.Text.Contains("ChangePlanHref", StringComparison.Ordinal)) // the plan gate's one link (Plans sits below Billing)
            .ToList();

        Assert.Empty(inline);
    }
}
