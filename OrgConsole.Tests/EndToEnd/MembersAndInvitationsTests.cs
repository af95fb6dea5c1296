using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>An owner invites someone; the invitee joins from the emailed link; the owner changes their role, then removes them.</summary>
public sealed class MembersAndInvitationsTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    private const string InviteePassword = "Invitee-Passw0rd!";

    [Fact(Timeout = 240_000)]
    public async Task Owner_Invites_InviteeRegistersAndJoins_OwnerChangesRoleThenRemoves_InviteeIsRefused()
    {
        await using var app = AppFactory.OnKestrel();
        var owner = await OpenPageAsync(app.BaseAddress, "owner");
        var invitee = await OpenPageAsync(app.BaseAddress, "invitee");
        var email = $"newcomer-{Guid.NewGuid():N}"[..20] + "@example.com";

        await RunAsync(async () =>
        {
            // The owner invites a new address.
            await SignInAsync(owner, "owner@acme.example", DemoPassword);
            await owner.GetByRole(AriaRole.Link, new() { Name = "Members", Exact = true }).ClickAsync();
            await Expect(owner).ToHaveURLAsync(new Regex("/members$"));
            await WaitUntilInteractiveAsync(owner);
            await Expect(owner.GetByText("dana@acme.example")).ToBeVisibleAsync();
            await owner.ScreenshotAsync(new() { Path = "/tmp/members.png", FullPage = true });
            await AssertAccessibleAsync(owner, "members page", Output);

            // Escape closes a dialog, as in every console people know.
            await owner.GetByTestId("transfer-ownership").ClickAsync();
            await Expect(owner.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
            for (var attempt = 0; attempt < 5 && await owner.GetByRole(AriaRole.Dialog).CountAsync() > 0; attempt++)
            {
                // The dialog's key handler attaches once it is interactive; a press before that is not seen.
                await owner.Keyboard.PressAsync("Escape");
                await owner.WaitForTimeoutAsync(500);
            }
            await Expect(owner.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

            await owner.GetByTestId("invite-members").ClickAsync();
            await owner.Locator("textarea[data-testid='invite-emails'], [data-testid='invite-emails'] textarea").First.FillAsync(email);
            await owner.GetByTestId("invite-send").ClickAsync();
            await Expect(owner.GetByText("Invited 1 person.")).ToBeVisibleAsync();
            await Expect(owner.GetByTestId("invitations-table")).ToContainTextAsync(email);

            // The invitee opens the link from the outbox, registers with that address and confirms it.
            await invitee.GotoAsync("dev/outbox");
            await WaitUntilInteractiveAsync(invitee);
            await invitee.GetByTestId("outbox-message").Filter(new() { HasText = email }).Filter(new() { HasText = "invited" })
                .GetByRole(AriaRole.Link, new() { Name = "Accept the invitation" }).ClickAsync();
            await Expect(invitee).ToHaveURLAsync(new Regex("/invitations/accept\\?token="));
            await Expect(invitee.GetByTestId("invited-email")).ToHaveTextAsync(email);
            await WaitUntilInteractiveAsync(invitee);
            await invitee.GetByTestId("invitation-register").ClickAsync();
            await invitee.Locator("[id='Input.Email']").FillAsync(email);
            await invitee.Locator("[id='Input.Password']").FillAsync(InviteePassword);
            await invitee.Locator("[id='Input.ConfirmPassword']").FillAsync(InviteePassword);
            await invitee.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();
            await Expect(invitee).ToHaveURLAsync(new Regex("/Account/RegisterConfirmation"));
            await invitee.GotoAsync("dev/outbox");
            await WaitUntilInteractiveAsync(invitee);
            await invitee.GetByTestId("outbox-message").Filter(new() { HasText = email }).Filter(new() { HasText = "Confirm your email" })
                .GetByRole(AriaRole.Link, new() { Name = "Confirm my email" }).ClickAsync();
            await Expect(invitee.GetByText("Thank you for confirming your email.")).ToBeVisibleAsync();

            // Signing in returns to the invitation; joining lands in the organization.
            await invitee.GetByTestId("continue-sign-in").ClickAsync();
            await invitee.Locator("[id='Input.Email']").FillAsync(email);
            await invitee.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync(); // email first (SSO domains go to their provider)
            await invitee.Locator("[id='Input.Password']").FillAsync(InviteePassword);
            await invitee.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await Expect(invitee).ToHaveURLAsync(new Regex("/invitations/accept\\?token="));
            await WaitUntilInteractiveAsync(invitee);
            await invitee.GetByTestId("accept-invitation").ClickAsync();
            await Expect(invitee).ToHaveURLAsync(new Regex("/orgs/[0-9a-f-]{36}$"));
            await Expect(invitee.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Acme Corp");
            await Expect(invitee.GetByText("You are User in this organization.")).ToBeVisibleAsync();

            // The owner changes the new member's role; the confirmation shows what changes.
            await owner.ReloadAsync();
            await WaitUntilInteractiveAsync(owner);
            await owner.GetByRole(AriaRole.Tab, new() { Name = "Members" }).ClickAsync();
            await MudInput(owner, "member-search").FillAsync(email);
            var row = owner.Locator("tr").Filter(new() { HasText = email });
            await Expect(owner.Locator("[data-testid='members-grid'] tbody tr")).ToHaveCountAsync(1); // the search has applied
            await row.GetByTestId("change-role").ClickAsync();
            await Expect(owner.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
            await owner.GetByRole(AriaRole.Dialog).Locator(".mud-select").First.ClickAsync();
            await owner.GetByRole(AriaRole.Option, new() { Name = "Billing admin" }).ClickAsync();
            await Expect(owner.GetByTestId("role-gains")).ToContainTextAsync("View billing details");
            await Expect(owner.GetByTestId("role-losses")).ToContainTextAsync("Create projects");
            await owner.ScreenshotAsync(new() { Path = "/tmp/change-role.png" });
            await owner.GetByTestId("confirm-role").ClickAsync();
            await Expect(row.GetByTestId("member-role")).ToHaveTextAsync("Billing admin");

            // The owner removes the member.
            await row.GetByTestId("remove-member").ClickAsync();
            await owner.GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();
            await Expect(owner.GetByText($"was removed.")).ToBeVisibleAsync();
            await Expect(row.GetByTestId("remove-member")).ToHaveCountAsync(0);
            await Expect(owner.GetByText("No members match")).ToBeVisibleAsync();

            // The removed member's console, still open, refuses their next click.
            await invitee.GetByRole(AriaRole.Link, new() { Name = "Projects", Exact = true }).ClickAsync();
            await Expect(invitee.GetByRole(AriaRole.Heading, new() { NameRegex = new System.Text.RegularExpressions.Regex("^You no longer have access to ") })).ToBeVisibleAsync();
            await Expect(invitee.GetByText("Search", new() { Exact = true })).ToHaveCountAsync(0);
        });
    }
}
