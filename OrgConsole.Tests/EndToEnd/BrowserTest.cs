using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>
/// What every browser test shares: one Chromium per test class (<see cref="BrowserFixture"/>), a fresh context (cookies,
/// storage: one person) per page it opens, every page's console errors and uncaught exceptions collected — a test fails
/// on any — and, when a test fails, a screenshot of every page it opened. Write the steps inside <see cref="RunAsync"/>.
/// </summary>
public abstract class BrowserTest(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<(string Name, IPage Page)> _pages = [];
    private readonly List<string> _browserErrors = [];
    private readonly List<(Regex Pattern, string Because)> _expectedErrors = [];

    protected ITestOutputHelper Output => output;

    /// <summary>Opens a page in a new browser context on <paramref name="baseAddress"/>, watched for browser errors.</summary>
    /// <param name="name">Who uses the page (owner, invitee…): names its failure screenshot.</param>
    protected async Task<IPage> OpenPageAsync(Uri baseAddress, string name = "page")
    {
        var context = await browser.NewContextAsync(baseAddress);
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        Watch(page, name);
        return page;
    }

    /// <summary>Collects the page's console errors and uncaught exceptions, and screenshots it if the test fails.</summary>
    protected void Watch(IPage page, string name)
    {
        _pages.Add((name, page));
        page.PageError += (_, error) => Collect($"{name}: page error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error") Collect($"{name}: console error: {message.Text} (at {message.Location})");
        };
    }

    /// <summary>A browser error the test provokes on purpose (e.g. a refused request it asserts on) does not fail it.</summary>
    protected void ExpectBrowserError(Regex pattern, string because) => _expectedErrors.Add((pattern, because));

    /// <summary>Errors the browser reported so far that no <see cref="ExpectBrowserError"/> covers.</summary>
    protected IReadOnlyList<string> BrowserErrors
    {
        get
        {
            lock (_browserErrors) return _browserErrors.Where(e => !_expectedErrors.Any(x => x.Pattern.IsMatch(e))).ToList();
        }
    }

    /// <summary>Runs the test's steps; on failure screenshots every open page; then fails on any browser error.</summary>
    protected async Task RunAsync(Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch
        {
            await ScreenshotEveryPageAsync();
            throw;
        }
        finally
        {
            lock (_browserErrors) foreach (var error in _browserErrors) output.WriteLine(error);
        }
        var unexpected = BrowserErrors;
        Assert.True(unexpected.Count == 0, $"The browser reported errors:{Environment.NewLine}{string.Join(Environment.NewLine, unexpected)}");
    }

    private void Collect(string error)
    {
        lock (_browserErrors) _browserErrors.Add(error);
    }

    private async Task ScreenshotEveryPageAsync()
    {
        foreach (var (name, page) in _pages)
        {
            var path = Path.Combine(Path.GetTempPath(), $"e2e-{GetType().Name}-{name}-failure.png");
            try
            {
                await page.ScreenshotAsync(new() { Path = path, FullPage = true });
                output.WriteLine($"Failed with the {name} at {page.Url}; screenshot in {path}");
            }
            catch (PlaywrightException e)
            {
                output.WriteLine($"No screenshot of the {name}: {e.Message}");
            }
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts) await context.DisposeAsync();
    }
}
