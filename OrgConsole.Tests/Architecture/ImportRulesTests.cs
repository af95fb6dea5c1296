using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace OrgConsole.Tests.Architecture;

/// <summary>
/// Imports run one way: Access and Common know no feature; shared nouns (plans, actor types) live below the features;
/// Organizations → Billing and Projects → ApiKeys, never back. Read from the source, so a using line, a qualified name or
/// a razor @using all count.
/// </summary>
public sealed partial class ImportRulesTests
{
    private static readonly string AppRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", "OrgConsole"));

    private static string ThisFile([CallerFilePath] string path = "") => path;

    private static readonly string[] Features = Directory.GetDirectories(Path.Combine(AppRoot, "Features")).Select(Path.GetFileName).ToArray()!;

    /// <summary>Every feature a source file under <paramref name="folder"/> names (by namespace), with the file that names it.</summary>
    private static IEnumerable<(string File, string Feature)> FeatureReferences(string folder) =>
        Directory.EnumerateFiles(Path.Combine(AppRoot, folder), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .SelectMany(f => FeatureName().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetRelativePath(AppRoot, f), Feature: m.Groups[1].Value)))
            .Where(r => Features.Contains(r.Feature));

    [GeneratedRegex(@"\bFeatures\.([A-Za-z]+)\b")]
    private static partial Regex FeatureName();

    [Fact]
    public void TheSourceIsFound() => Assert.Contains("Billing", Features);

    [Theory]
    [InlineData("Access")]
    [InlineData("Common")]
    public void TheLayersBelowTheFeatures_KnowNoFeature(string layer) =>
        Assert.Empty(FeatureReferences(layer));

    [Theory]
    [InlineData("Billing", "Organizations")] // Organizations shows usage and maps billing's foreign keys; billing reads plans from Plans and Access
    [InlineData("ApiKeys", "Projects")] // the project page hosts the keys tab; the keys read the project context from Components/Shared
    [InlineData("Plans", "Organizations")]
    [InlineData("Plans", "Billing")]
    public void AFeatureBelow_DoesNotImportTheOneAbove(string below, string above) =>
        Assert.DoesNotContain(FeatureReferences(Path.Combine("Features", below)), r => r.Feature == above);
}
