using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>What every browser test does with the console: wait for the circuit, find MudBlazor inputs, sign in.</summary>
public static class ConsolePage
{
    public const string DemoPassword = "OrgConsole-demo-1";

    /// <summary>Clicks before the Blazor circuit is live are lost: wait for the layout's interactivity marker.</summary>
    public static Task WaitUntilInteractiveAsync(IPage page) =>
        Expect(page.Locator("#main[data-interactive='true']")).ToBeAttachedAsync();

    /// <summary>The input of a MudTextField, whichever element MudBlazor puts the data-testid on.</summary>
    public static ILocator MudInput(IPage page, string testId) =>
        page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input").First;

    /// <summary>Signs in through the email-first sign-in page and waits until the console is interactive.</summary>
    public static async Task SignInAsync(IPage page, string email, string password = DemoPassword)
    {
        await page.GotoAsync("Account/Login");
        await page.Locator("[id='Input.Email']").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync(); // email first (SSO domains go to their provider)
        await page.Locator("[id='Input.Password']").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex("Account/Login"));
        await WaitUntilInteractiveAsync(page);
    }

    /// <summary>
    /// Fails on any serious or critical axe finding, with a report naming the elements; lesser findings go to the
    /// test output. Snackbars are closed first: axe would measure their contrast mid-fade.
    /// </summary>
    public static async Task AssertAccessibleAsync(IPage page, string what = "page", ITestOutputHelper? output = null)
    {
        foreach (var close in await page.Locator(".mud-snackbar button").AllAsync()) await close.ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0);
        var axe = await page.RunAxe();
        var blocking = axe.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        foreach (var minor in axe.Violations.Except(blocking)) output?.WriteLine($"axe (not failing) on the {what} [{minor.Impact}] {minor.Id}: {minor.Help}");
        var report = string.Join(Environment.NewLine, blocking.Select(v =>
            $"[{v.Impact}] {v.Id}: {v.Help} ({v.HelpUrl}){Environment.NewLine}" +
            string.Join(Environment.NewLine, v.Nodes.Select(n => $"    {n.Target} :: {n.Html}{Environment.NewLine}      " +
                string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))))));
        Assert.True(blocking.Count == 0, $"axe found serious or critical violations on the {what}:{Environment.NewLine}{report}");
    }
}
