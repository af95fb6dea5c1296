using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

/// <summary>
/// Issue 17: every stylesheet and script the pages link is served precompressed (the build's gzip, and Brotli after
/// publish) on exactly the URL the page emits — MudBlazor's fingerprinted <c>@Assets</c> URLs included, which went out
/// uncompressed (627 + 70 KB) — with a Content-Length that matches the body, a body that decompresses to the same bytes
/// as the identity response, and, on a fingerprinted URL, a year-long immutable cache header.
/// </summary>
public sealed partial class StaticAssetCompressionTests
{
    /// <summary>
    /// Development (what <c>dotnet run</c> and the browser tests serve: the build manifest with the runtime check that
    /// re-serves files changed since the build, caching headers off) and as a deployment serves the manifest (that check
    /// off, caching headers on).
    /// </summary>
    public static TheoryData<bool> Modes => new() { true, false };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Modes))]
    public async Task EveryLinkedStylesheetAndScript_IsServedCompressed_WithItsTrueLength_AndDecompressesToTheFile(bool development)
    {
        await using var app = AppFactory.InMemory(new Dictionary<string, string> { ["ReloadStaticAssetsAtRuntime"] = development ? "true" : "false" });
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var links = await LinkedAssetsAsync(client);
        Assert.Contains(links, l => l.Contains("_content/MudBlazor/MudBlazor.min.", StringComparison.Ordinal) && l.EndsWith(".css", StringComparison.Ordinal));
        Assert.Contains(links, l => l.Contains("_content/MudBlazor/MudBlazor.min.", StringComparison.Ordinal) && l.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(links, l => l.Contains("_framework/blazor.web.", StringComparison.Ordinal));
        // MudBlazor's links are the fingerprinted ones (cacheable for a year), not the plain route.
        Assert.All(links.Where(l => l.Contains("MudBlazor", StringComparison.Ordinal)), l => Assert.Matches(Fingerprinted(), l));

        foreach (var url in links)
        {
            var identity = await GetAsync(client, url, acceptEncoding: null);
            Assert.True(identity.StatusCode == HttpStatusCode.OK, $"{url}: {identity.StatusCode}");
            Assert.Empty(identity.Content.Headers.ContentEncoding);
            var original = await identity.Content.ReadAsByteArrayAsync();
            Assert.Equal(original.Length, identity.Content.Headers.ContentLength);

            var compressed = await GetAsync(client, url, "br, gzip");
            Assert.True(compressed.StatusCode == HttpStatusCode.OK, $"{url} compressed: {compressed.StatusCode}");
            var encoding = Assert.Single(compressed.Content.Headers.ContentEncoding);
            Assert.True(encoding is "br" or "gzip", $"{url}: Content-Encoding {encoding}");
            Assert.Contains("Accept-Encoding", compressed.Headers.Vary);
            var body = await compressed.Content.ReadAsByteArrayAsync();
            Assert.True(compressed.Content.Headers.ContentLength == body.Length,
                $"{url} as {encoding}: Content-Length {compressed.Content.Headers.ContentLength} but {body.Length} bytes sent");
            Assert.Equal(original, Decompress(body, encoding)); // the same file, not a stale or mislabelled one
            // In Development ASP.NET Core 10.0 takes a file whose time differs from the manifest's (whole seconds; it compares
            // to the sub-second) for changed since the build and re-serves it as gzip stored without compression: correct, not
            // smaller. MudBlazor's files (whole-second times, recorded as extracted) are compressed there too.
            if ((!development || url.Contains("/_content/MudBlazor/", StringComparison.Ordinal)) && original.Length > 10_000)
            {
                Assert.True(body.Length * 3 < original.Length, $"{url} as {encoding}: {body.Length} bytes against {original.Length} uncompressed");
            }

            if (!development && Fingerprinted().IsMatch(url))
            {
                foreach (var response in new[] { identity, compressed })
                {
                    var cache = response.Headers.CacheControl;
                    Assert.True(cache is { MaxAge.TotalDays: >= 365 } && cache.Extensions.Any(e => e.Name == "immutable"),
                        $"{url}: Cache-Control {cache}");
                }
            }
        }

        var css = Encoding.UTF8.GetString(Decompress(await (await GetAsync(client, links.First(l => l.Contains("MudBlazor.min.", StringComparison.Ordinal) && l.EndsWith(".css", StringComparison.Ordinal)), "gzip")).Content.ReadAsByteArrayAsync(), "gzip"));
        Assert.Contains(".mud-button-filled-primary", css);
    }

    [Fact(Timeout = 60_000)]
    public async Task AClientThatAcceptsNoCompression_GetsTheIdentityFile()
    {
        await using var app = AppFactory.InMemory();
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var mud = (await LinkedAssetsAsync(client)).First(l => l.Contains("MudBlazor.min.", StringComparison.Ordinal) && l.EndsWith(".css", StringComparison.Ordinal));

        var response = await GetAsync(client, mud, "identity");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Contains(".mud-button-filled-primary", await response.Content.ReadAsStringAsync());
    }

    /// <summary>The stylesheets and scripts the sign-in page links, exactly as App.razor emits them (resolved against its base href).</summary>
    private static async Task<List<string>> LinkedAssetsAsync(HttpClient client)
    {
        var page = await client.GetStringAsync("/Account/Login");
        Assert.Matches("<base href=\"/\"", page);
        return AssetLink().Matches(page).Select(m => "/" + m.Groups[1].Value.TrimStart('/')).Distinct().ToList();
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, string? acceptEncoding)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        return await client.SendAsync(request);
    }

    private static byte[] Decompress(byte[] body, string encoding)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    [GeneratedRegex("<(?:link|script)\\b[^>]*?\\b(?:href|src)=\"([^\"]+\\.(?:css|js))\"")]
    private static partial Regex AssetLink();

    [GeneratedRegex(@"\.[a-z0-9]{10}\.(css|js)$")]
    private static partial Regex Fingerprinted();
}
