using System.Net;
using System.Text.RegularExpressions;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

/// <summary>
/// Issue 17: the assets a page links (fingerprinted through @Assets) are served precompressed — Brotli or gzip by the
/// client's Accept-Encoding, identity without it — from the files compressed at build/publish time.
/// </summary>
public sealed partial class StaticAssetCompressionTests : IAsyncLifetime
{
    // As a published app serves them: the build's precompressed files, not the development-time re-compression of
    // changed files (which only hot reload needs).
    private readonly AppFactory _app = AppFactory.InMemory(new Dictionary<string, string> { ["ReloadStaticAssetsAtRuntime"] = "false" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static TheoryData<string, string> Cases => new()
    {
        { "MudBlazor.min", "br" }, { "MudBlazor.min", "gzip" }, { "blazor.web", "br" }, { "blazor.web", "gzip" },
        { "MudBlazor.min", "identity" }, { "blazor.web", "identity" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Cases))]
    public async Task TheLinkedCssAndScript_AreServedPrecompressed_WhenTheClientAcceptsIt(string asset, string encoding)
    {
        using var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await client.GetStringAsync("/Account/Login");
        var links = AssetLink().Matches(page).Select(m => m.Groups[1].Value).Where(l => l.Contains(asset, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(links);
        var fingerprinted = links.First();
        Assert.Matches(@"\.[a-z0-9]{10}\.(css|js)$", fingerprinted); // the URL the page uses is the immutable, fingerprinted one

        var identity = await GetAsync(client, fingerprinted, null);
        Assert.Equal(HttpStatusCode.OK, identity.StatusCode);
        Assert.Empty(identity.Content.Headers.ContentEncoding);
        var identityLength = (await identity.Content.ReadAsByteArrayAsync()).Length;

        if (encoding == "identity")
        {
            Assert.True(identityLength > 50_000, $"{fingerprinted}: {identityLength} bytes");
            return;
        }
        var compressed = await GetAsync(client, fingerprinted, encoding);
        Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
        Assert.Equal([encoding], compressed.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", compressed.Headers.Vary);
        Assert.Contains("immutable", compressed.Headers.CacheControl?.ToString());
        var compressedLength = (await compressed.Content.ReadAsByteArrayAsync()).Length;
        Assert.True(compressedLength * 3 < identityLength, $"{fingerprinted} as {encoding}: {compressedLength} bytes against {identityLength} uncompressed");
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? encoding)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (encoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
        return await client.SendAsync(request);
    }

    [GeneratedRegex("(?:href|src)=\"/?([^\"]+\\.(?:css|js))\"")]
    private static partial Regex AssetLink();
}
