using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>
/// The app bar is static markup (issue 17): its menus open and close in the browser (native popovers, menus.js) with the
/// mouse and with the keyboard as a WAI-ARIA menu button does, and the theme toggle is a form post that re-renders the
/// page in the other theme while the page body keeps its state.
/// </summary>
public sealed class AppBarTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    [Fact(Timeout = 180_000)]
    public async Task TheSwitcherAndTheUserMenu_OpenAndCloseWithMouseAndKeyboard_WithoutARoundTrip()
    {
        await using var app = AppFactory.OnKestrel();
        var page = await OpenPageAsync(app.BaseAddress, "owner");

        await RunAsync(async () =>
        {
            await SignInAsync(page, "owner@acme.example");
            var switcher = page.Locator("[data-testid=org-switcher] > button");
            var switcherMenu = page.Locator("[data-testid=org-switcher] [role=menu]");
            var items = switcherMenu.GetByRole(AriaRole.Menuitem);
            await Expect(switcher).ToContainTextAsync("Acme Corp");
            await Expect(switcherMenu).ToBeHiddenAsync();
            await Expect(page.Locator(".mud-popover-provider")).ToHaveCountAsync(0); // the app bar's menus need no MudBlazor provider

            // The mouse: a click opens the menu under its button with the focus on its first item; a click outside closes it.
            await switcher.ClickAsync();
            await Expect(switcherMenu).ToBeVisibleAsync();
            await Expect(switcher).ToHaveAttributeAsync("aria-expanded", "true");
            await Expect(items).ToHaveCountAsync(2);
            await Expect(items.Nth(0)).ToContainTextAsync("Acme Corp");
            await Expect(items.Nth(1)).ToContainTextAsync("Globex");
            await Expect(items.Nth(0)).ToBeFocusedAsync();
            var button = (await switcher.BoundingBoxAsync())!;
            var menu = (await switcherMenu.BoundingBoxAsync())!;
            Assert.InRange(menu.Y - (button.Y + button.Height), -1, 8);
            Assert.InRange(menu.X - button.X, -1, 1);
            await AssertAccessibleAsync(page, "page with the organization switcher open", Output);
            await page.Mouse.ClickAsync(button.X + 400, button.Y + 300);
            await Expect(switcherMenu).ToBeHiddenAsync();
            await Expect(switcher).ToHaveAttributeAsync("aria-expanded", "false");

            // The keyboard: Enter opens on the first item, the arrows move (and wrap), Home/End, Esc closes with the focus
            // back on the button, ArrowUp opens on the last item, Enter follows it.
            await switcher.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Expect(items.Nth(0)).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("ArrowDown");
            await Expect(items.Nth(1)).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("ArrowDown");
            await Expect(items.Nth(0)).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("End");
            await Expect(items.Nth(1)).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Home");
            await Expect(items.Nth(0)).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("g"); // type-ahead
            await Expect(items.Nth(1)).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Escape");
            await Expect(switcherMenu).ToBeHiddenAsync();
            await Expect(switcher).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("ArrowUp");
            await Expect(items.Nth(1)).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Enter");
            await Expect(switcher).ToContainTextAsync("Globex");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Globex");
            await Expect(switcherMenu).ToBeHiddenAsync();

            // The user menu, at the end of the bar: Space opens it, ArrowDown reaches "Sign out", Tab leaves and closes it;
            // its button toggles it with the mouse.
            var user = page.Locator("[data-testid=user-menu] > button");
            var userMenu = page.Locator("[data-testid=user-menu] [role=menu]");
            await user.FocusAsync();
            await page.Keyboard.PressAsync(" ");
            await Expect(userMenu.GetByRole(AriaRole.Menuitem, new() { Name = "Account and security" })).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("ArrowDown");
            await Expect(page.GetByTestId("sign-out")).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Tab");
            await Expect(userMenu).ToBeHiddenAsync();
            await Expect(user).ToHaveAttributeAsync("aria-expanded", "false");
            await user.ClickAsync();
            await Expect(userMenu).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "page with the user menu open", Output);
            var userButton = (await user.BoundingBoxAsync())!;
            var userBox = (await userMenu.BoundingBoxAsync())!;
            Assert.InRange(userBox.X + userBox.Width - (userButton.X + userButton.Width), -1, 1); // lined up with its right edge
            await user.ClickAsync();
            await Expect(userMenu).ToBeHiddenAsync();
        });
    }

    [Fact(Timeout = 180_000)]
    public async Task TheThemeToggle_RendersTheOtherTheme_KeepsAHalfTypedForm_AndIsKeptAfterAReload()
    {
        await using var app = AppFactory.OnKestrel();
        var page = await OpenPageAsync(app.BaseAddress, "owner");

        await RunAsync(async () =>
        {
            await SignInAsync(page, "owner@acme.example");
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" }).GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}/settings$"));
            await WaitUntilInteractiveAsync(page);
            var appBar = page.Locator("header.mud-appbar");
            await Expect(appBar).ToHaveCSSAsync("background-color", "rgb(26, 35, 126)");
            await page.EvaluateAsync("() => window.notReloaded = true");
            var rename = MudInput(page, "rename-input");
            await rename.FillAsync("Half typed");

            await page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark mode", Exact = true }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Switch to light mode", Exact = true })).ToBeVisibleAsync();
            await Expect(appBar).ToHaveCSSAsync("background-color", "rgb(18, 24, 51)");
            await Expect(rename).ToHaveValueAsync("Half typed"); // the page body's circuit kept its state
            Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
            await Expect(page.Locator("#main[data-interactive='true']")).ToBeAttachedAsync();

            await page.ReloadAsync();
            await WaitUntilInteractiveAsync(page);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Switch to light mode", Exact = true })).ToBeVisibleAsync();
            await Expect(appBar).ToHaveCSSAsync("background-color", "rgb(18, 24, 51)");

            await page.GetByRole(AriaRole.Button, new() { Name = "Switch to light mode", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark mode", Exact = true })).ToBeVisibleAsync();
            await Expect(appBar).ToHaveCSSAsync("background-color", "rgb(26, 35, 126)");
        });
    }
}
