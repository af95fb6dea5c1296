using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>
/// Issue 17: a first visit (empty browser cache) to the sign-in page and to the Members page in Chromium loads every
/// request (none fails to download or decode), gets every stylesheet and script compressed, shows MudBlazor's styles
/// applied, and MudBlazor's stylesheet and script travel at a third of their size or less. Run as <c>dotnet run</c> serves
/// (Development: files that look changed since the build are re-served as gzip stored without compression — where a
/// Brotli variant once failed every page with ERR_CONTENT_DECODING_FAILED) and as a deployment serves the build's
/// precompressed files, where every large stylesheet and script travels at a third of its size or less. The bytes per page are printed (the README's figures come from a published build, which adds Brotli).
/// </summary>
public sealed class FirstLoadTransferTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    public const string ScreenshotFolder = "/tmp";

    public static TheoryData<bool> Modes => new() { true, false };

    [Theory(Timeout = 240_000)]
    [MemberData(nameof(Modes))]
    public async Task FirstLoads_OfSignInAndMembers_FailNoRequest_GetCompressedAssets_AndApplyMudBlazorStyles(bool development)
    {
        await using var app = AppFactory.OnKestrel(new Dictionary<string, string> { ["ReloadStaticAssetsAtRuntime"] = development ? "true" : "false" });
        var signIn = await OpenPageAsync(app.BaseAddress, "sign-in");

        await RunAsync(async () =>
        {
            // The sign-in page, as a first-time visitor gets it.
            var signInLoad = Transfer.Watch(signIn);
            await signIn.GotoAsync("Account/Login");
            await signIn.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await AssertMudBlazorStyledAsync(signIn.GetByTestId("login-continue"));
            await signIn.ScreenshotAsync(new() { Path = $"{ScreenshotFolder}/first-load-sign-in-{(development ? "development" : "deployed")}.png", FullPage = true });
            var signInFigures = await signInLoad.StopAsync();

            // The Members page opened directly by a signed-in person whose browser has nothing cached (a fresh context with
            // the session cookie).
            await SignInAsync(signIn, "owner@acme.example");
            var org = Regex.Match(signIn.Url, "/orgs/[0-9a-f-]{36}").Value.TrimStart('/');
            Assert.NotEmpty(org);
            var members = await OpenPageAsync(app.BaseAddress, "members");
            await members.Context.AddCookiesAsync((await signIn.Context.CookiesAsync()).Select(c => new Cookie
            {
                Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, Expires = c.Expires, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
            }));
            var membersLoad = Transfer.Watch(members);
            await members.GotoAsync($"{org}/members");
            await WaitUntilInteractiveAsync(members);
            await Expect(members.GetByText("dana@acme.example")).ToBeVisibleAsync();
            await members.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await AssertMudBlazorStyledAsync(members.GetByTestId("invite-members"));
            await members.ScreenshotAsync(new() { Path = $"{ScreenshotFolder}/first-load-members-{(development ? "development" : "deployed")}.png", FullPage = true });
            var membersFigures = await membersLoad.StopAsync();

            foreach (var (what, figures) in new[] { ("sign-in page", signInFigures), ("Members page", membersFigures) })
            {
                Output.WriteLine($"{what}: {figures.Requests.Count} requests, {figures.HttpBytes:N0} B over HTTP (headers and bodies as sent), " +
                                 $"{figures.WebSocketBytes:N0} B received on the circuit's WebSocket");
                foreach (var r in figures.Requests) Output.WriteLine($"  {r.Status} {r.Bytes,9:N0} B  {r.Encoding,-5} ({r.DecodedBytes,9:N0} B decoded) {r.Url}");
                Assert.True(figures.Failed.Count == 0, $"{what}: requests failed:{Environment.NewLine}{string.Join(Environment.NewLine, figures.Failed)}");
                Assert.All(figures.Requests, r => Assert.True(r.Status < 400, $"{what}: {r.Status} {r.Url}"));
                var assets = figures.Requests.Where(r => Regex.IsMatch(new Uri(r.Url).AbsolutePath, @"\.(css|js)$")).ToList();
                Assert.Contains(assets, r => r.Url.Contains("MudBlazor.min.", StringComparison.Ordinal));
                Assert.All(assets, r => Assert.True(r.Encoding is "br" or "gzip", $"{what}: {r.Url} sent with Content-Encoding '{r.Encoding}' ({r.Bytes:N0} B)"));
                // Development re-sends the app's own files (sub-second times) as gzip stored without compression; MudBlazor's
                // are compressed there too.
                var large = assets.Where(r => r.DecodedBytes > 10_000 && (!development || r.Url.Contains("/_content/MudBlazor/", StringComparison.Ordinal))).ToList();
                Assert.NotEmpty(large);
                Assert.All(large, r => Assert.True(r.Bytes * 3 <= r.DecodedBytes, $"{what}: {r.Url} took {r.Bytes:N0} B on the wire for {r.DecodedBytes:N0} B"));
            }
        });
    }

    /// <summary>A filled primary MudButton takes its background from MudBlazor's stylesheet (the theme only defines the variable).</summary>
    private static async Task AssertMudBlazorStyledAsync(ILocator filledPrimaryButton)
    {
        await Expect(filledPrimaryButton).ToBeVisibleAsync();
        var styles = await filledPrimaryButton.EvaluateAsync<string[]>(
            """
            b => {
                const probe = document.createElement('div');
                probe.style.backgroundColor = 'var(--mud-palette-primary)';
                document.body.appendChild(probe);
                const primary = getComputedStyle(probe).backgroundColor;
                probe.remove();
                const style = getComputedStyle(b);
                return [style.backgroundColor, primary, style.cursor];
            }
            """);
        var (background, primary, cursor) = (styles[0], styles[1], styles[2]);
        Assert.False(string.IsNullOrEmpty(primary) || primary == "rgba(0, 0, 0, 0)", $"the theme's primary colour is not defined ({primary})");
        Assert.Equal(primary, background);
        Assert.Equal("pointer", cursor);
    }

    private sealed record Request(string Url, int Status, string Encoding, long Bytes, long DecodedBytes);

    private sealed record Figures(IReadOnlyList<Request> Requests, IReadOnlyList<string> Failed, long HttpBytes, long WebSocketBytes);

    /// <summary>Every request of one page and its size on the wire, the requests that failed, the WebSocket bytes received.</summary>
    private sealed class Transfer
    {
        private readonly IPage _page;
        private readonly List<Task<Request>> _finished = [];
        private readonly List<string> _failed = [];
        private long _webSocketBytes;

        private Transfer(IPage page) => _page = page;

        public static Transfer Watch(IPage page)
        {
            var transfer = new Transfer(page);
            page.RequestFinished += transfer.OnFinished;
            page.RequestFailed += transfer.OnFailed;
            page.WebSocket += transfer.OnWebSocket;
            return transfer;
        }

        private void OnFinished(object? sender, IRequest request)
        {
            lock (_finished) _finished.Add(MeasureAsync(request));
        }

        private void OnFailed(object? sender, IRequest request)
        {
            lock (_failed) _failed.Add($"{request.Method} {request.Url}: {request.Failure}");
        }

        private void OnWebSocket(object? sender, IWebSocket socket) =>
            socket.FrameReceived += (_, frame) => Interlocked.Add(ref _webSocketBytes, frame.Binary?.Length ?? Encoding.UTF8.GetByteCount(frame.Text ?? ""));

        private static async Task<Request> MeasureAsync(IRequest request)
        {
            var response = await request.ResponseAsync();
            var sizes = await request.SizesAsync();
            var headers = response is null ? new Dictionary<string, string>() : await response.AllHeadersAsync();
            var decoded = response is null ? 0 : (await response.BodyAsync()).Length;
            return new Request(request.Url, response?.Status ?? 0, headers.GetValueOrDefault("content-encoding", ""),
                sizes.ResponseHeadersSize + sizes.ResponseBodySize, decoded);
        }

        public async Task<Figures> StopAsync()
        {
            _page.RequestFinished -= OnFinished;
            _page.RequestFailed -= OnFailed;
            Task<Request>[] pending;
            lock (_finished) pending = [.. _finished];
            var requests = await Task.WhenAll(pending);
            lock (_failed) return new Figures(requests, [.. _failed], requests.Sum(r => r.Bytes), Interlocked.Read(ref _webSocketBytes));
        }
    }
}
