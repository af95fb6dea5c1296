using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace OrgConsole.Tests.Architecture;

/// <summary>
/// Concurrency tokens are renewed in one place: the interceptor for tracked saves, and
/// <c>ConcurrencyTokens.ExecuteUpdateRenewingVersionAsync</c> for bulk updates. A service that writes a version by hand
/// (<c>x.Version = Guid.NewGuid()</c>, <c>SetProperty(x =&gt; x.Version, …)</c>) is one a later edit can forget.
/// </summary>
public sealed partial class ConcurrencyTokenWriteTests
{
    private static readonly string AppRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", "OrgConsole"));

    private static string ThisFile([CallerFilePath] string path = "") => path;

    [GeneratedRegex(@"\.Version\s*=\s*Guid\b|SetProperty\(\s*\w+\s*=>\s*\w+\.Version\b")]
    private static partial Regex HandWrittenVersion();

    [Fact]
    public void NoServiceWritesAVersionByHand()
    {
        var files = Directory.EnumerateFiles(AppRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && Path.GetFileName(f) != "ConcurrencyTokens.cs")
            .ToList();
        Assert.Contains(files, f => Path.GetFileName(f) == "InvoiceService.cs");
        var offenders = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (Path.GetRelativePath(AppRoot, f), Line: i + 1, Text: line.Trim())))
            .Where(l => HandWrittenVersion().IsMatch(l.Text))
            .ToList();
        Assert.Empty(offenders);
    }
}
