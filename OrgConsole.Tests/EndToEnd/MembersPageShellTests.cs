using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>
/// The Members page's shell is markup (TabStrip, SearchField, plain buttons): in Chromium the tabs answer the keyboard
/// as WAI-ARIA tabs do, the search box's clear button is reachable by Tab and restores the list, and the disabled
/// "Invite members" explains itself on keyboard focus.
/// </summary>
public sealed class MembersPageShellTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    /// <summary>Signs the demo owner in and opens their organization's Members page; returns "orgs/{id}".</summary>
    private static async Task<string> OpenMembersAsOwnerAsync(IPage owner)
    {
        await SignInAsync(owner, "owner@acme.example");
        var org = Regex.Match(owner.Url, "/orgs/[0-9a-f-]{36}").Value.TrimStart('/');
        await owner.GotoAsync($"{org}/members");
        await WaitUntilInteractiveAsync(owner);
        return org;
    }

    /// <summary>A row's "add a role" is activator markup until clicked: the first click opens the real menu, and an item adds the role.</summary>
    [Fact(Timeout = 240_000)]
    public async Task TheAddRoleMenu_OpensOnTheFirstClick_AndItsItemAddsTheRole()
    {
        await using var app = AppFactory.OnKestrel();
        var owner = await OpenPageAsync(app.BaseAddress, "owner");

        await RunAsync(async () =>
        {
            await OpenMembersAsOwnerAsync(owner);
            var row = owner.Locator("[data-testid='members-grid'] tbody tr").Filter(new() { HasText = "dana@acme.example" });
            await Expect(row).ToHaveCountAsync(1);
            var chips = await row.Locator("[data-testid=member-role]").CountAsync();
            await Expect(owner.Locator(".mud-popover-provider")).ToHaveCountAsync(0); // MudBlazor's providers come on demand

            await row.Locator("[data-testid=add-role] button").ClickAsync();
            var item = owner.GetByRole(AriaRole.Menuitem).First;
            await Expect(item).ToBeVisibleAsync();
            await Expect(owner.Locator(".mud-popover-provider")).ToHaveCountAsync(1); // one set, in the page body's root
            await Expect(owner.Locator("#main").Locator("xpath=..").Locator(".mud-popover-provider")).ToHaveCountAsync(1);
            var role = Regex.Replace((await item.InnerTextAsync()).Trim(), "^Add ", "");
            await item.ClickAsync();

            await Expect(row.Locator("[data-testid=member-role]")).ToHaveCountAsync(chips + 1);
            await Expect(row.Locator("[data-testid=member-role]").Filter(new() { HasText = role })).ToHaveCountAsync(1);
        });
    }

    [Fact(Timeout = 240_000)]
    public async Task Tabs_AnswerArrowsHomeAndEnd_ClearIsReachableByTab_AndTheDisabledInviteExplainsOnFocus()
    {
        await using var app = AppFactory.OnKestrel();
        var owner = await OpenPageAsync(app.BaseAddress, "owner");
        var user = await OpenPageAsync(app.BaseAddress, "user");

        await RunAsync(async () =>
        {
            var org = await OpenMembersAsOwnerAsync(owner);
            await Expect(owner.GetByText("dana@acme.example")).ToBeVisibleAsync();

            // Tabs: the selected tab is the one in the Tab order; arrows, Home and End move the selection and the focus.
            var members = owner.GetByRole(AriaRole.Tab, new() { Name = "Members", Exact = true });
            var invitations = owner.GetByRole(AriaRole.Tab, new() { Name = "Invitations", Exact = true });
            await Expect(members).ToHaveAttributeAsync("aria-selected", "true");
            await Expect(members).ToHaveAttributeAsync("tabindex", "0");
            await Expect(invitations).ToHaveAttributeAsync("tabindex", "-1");
            await members.FocusAsync();
            var scrolled = await owner.EvaluateAsync<double>("window.scrollY");

            await owner.Keyboard.PressAsync("ArrowRight");
            await ExpectSelectedAsync(owner, invitations, members);
            await Expect(owner.Locator("[data-testid=invitations-table], [data-testid=invitations-empty]").First).ToBeVisibleAsync();
            await owner.Keyboard.PressAsync("Home");
            await ExpectSelectedAsync(owner, members, invitations);
            await Expect(owner.GetByTestId("members-grid")).ToBeVisibleAsync();
            await owner.Keyboard.PressAsync("End");
            await ExpectSelectedAsync(owner, invitations, members);
            await owner.Keyboard.PressAsync("ArrowLeft");
            await ExpectSelectedAsync(owner, members, invitations);
            await owner.Keyboard.PressAsync("ArrowLeft"); // wraps to the last
            await ExpectSelectedAsync(owner, invitations, members);
            Assert.Equal(scrolled, await owner.EvaluateAsync<double>("window.scrollY")); // Home/End moved the tabs, not the page
            await owner.Keyboard.PressAsync("ArrowRight"); // wraps to the first
            await ExpectSelectedAsync(owner, members, invitations);

            // Search: typing filters; Tab from the box reaches its clear button, which restores the list and keeps the keyboard in the box.
            var rows = owner.Locator("[data-testid='members-grid'] tbody tr");
            var all = await rows.CountAsync();
            await owner.Locator("input[data-testid=member-search]").FillAsync("dana@");
            await Expect(rows).ToHaveCountAsync(1);
            await owner.Keyboard.PressAsync("Tab");
            var clear = owner.GetByRole(AriaRole.Button, new() { Name = "Clear the search", Exact = true });
            await Expect(clear).ToBeFocusedAsync();
            await owner.Keyboard.PressAsync("Enter");
            await Expect(rows).ToHaveCountAsync(all);
            await Expect(owner.Locator("input[data-testid=member-search]")).ToHaveValueAsync("");
            await Expect(owner.Locator("input[data-testid=member-search]")).ToBeFocusedAsync();
            await Expect(clear).ToHaveCountAsync(0);

            // A User may not invite: the disabled button's explanation shows when the keyboard reaches it.
            await SignInAsync(user, "user@acme.example");
            await user.GotoAsync($"{org}/members");
            await WaitUntilInteractiveAsync(user);
            await Expect(user.GetByText("dana@acme.example")).ToBeVisibleAsync();
            await Expect(user.GetByTestId("invite-members")).ToBeDisabledAsync();
            var tooltip = user.GetByRole(AriaRole.Tooltip).Filter(new() { HasText = "Needs the Owner role" });
            await Expect(tooltip).ToBeHiddenAsync();
            await user.GetByTestId("leave-org").FocusAsync();
            await user.Keyboard.PressAsync("Tab");
            await Expect(user.GetByRole(AriaRole.Group, new() { Name = "Invite members" })).ToBeFocusedAsync();
            await Expect(tooltip).ToBeVisibleAsync();
            await user.Keyboard.PressAsync("Tab");
            await Expect(tooltip).ToBeHiddenAsync();
            await user.GetByTestId("invite-members").HoverAsync(new() { Force = true });
            await Expect(tooltip).ToBeVisibleAsync();
            await AssertAccessibleAsync(user, "members page of a User", Output);
        });
    }

    private static async Task ExpectSelectedAsync(IPage page, ILocator selected, ILocator other)
    {
        await Expect(selected).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(selected).ToHaveAttributeAsync("tabindex", "0");
        await Expect(selected).ToBeFocusedAsync();
        await Expect(other).ToHaveAttributeAsync("aria-selected", "false");
        await Expect(other).ToHaveAttributeAsync("tabindex", "-1");
        await Expect(page.Locator($"#{await selected.GetAttributeAsync("aria-controls")}")).ToBeVisibleAsync();
    }
}
