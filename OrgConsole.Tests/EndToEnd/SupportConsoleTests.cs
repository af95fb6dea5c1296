using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OrgConsole.Tests.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static OrgConsole.Tests.EndToEnd.ConsolePage;

namespace OrgConsole.Tests.EndToEnd;

/// <summary>Support staff find an organization by a member's email, visit it read-only with a reason, move a project; the owner sees the visit.</summary>
public sealed class SupportConsoleTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{

    [Fact(Timeout = 240_000)]
    public async Task Support_SearchesByMemberEmail_VisitsReadOnlyWithAReason_MovesAProject_OwnerSeesTheVisitInTheAuditLog()
    {
        await using var app = AppFactory.OnKestrel();
        var support = await OpenPageAsync(app.BaseAddress, "support");
        var owner = await OpenPageAsync(app.BaseAddress, "owner");
        await RunAsync(async () =>
        {
            await SignInAsync(support, "support@orgconsole.example");
            await Expect(support).ToHaveURLAsync(new Regex("/support$"));
            await WaitUntilInteractiveAsync(support);

            await MudInput(support, "support-search").FillAsync("dana@acme.example");
            await support.GetByTestId("support-search-go").ClickAsync();
            var row = support.Locator("tr").Filter(new() { HasText = "Acme Corp" });
            await Expect(row).ToContainTextAsync("member dana@acme.example");
            await row.GetByTestId("support-open").ClickAsync();
            await MudInput(support, "support-reason").FillAsync("TICKET-4711 cannot find project");
            await support.GetByTestId("support-reason-confirm").ClickAsync();
            await Expect(support).ToHaveURLAsync(new Regex("/support/orgs/[0-9a-f-]{36}$"));
            await Expect(support.GetByTestId("support-session-reason")).ToHaveTextAsync("TICKET-4711 cannot find project");
            await AssertAccessibleAsync(support, "support visit page", Output);

            // Browse the members read-only: the list is there, the actions are not.
            await support.GetByTestId("support-browse-members").ClickAsync();
            await Expect(support).ToHaveURLAsync(new Regex("/members$"));
            await Expect(support.GetByText("dana@acme.example")).ToBeVisibleAsync();
            await Expect(support.GetByTestId("support-banner")).ToBeVisibleAsync();
            await Expect(support.GetByTestId("invite-members")).ToBeDisabledAsync();
            await Expect(support.GetByTestId("change-role")).ToHaveCountAsync(0);
            await Expect(support.GetByTestId("remove-member")).ToHaveCountAsync(0);
            await support.ScreenshotAsync(new() { Path = "/tmp/support-members.png", FullPage = true });

            // The billing summary too, read-only.
            await support.GetByTestId("support-banner").GetByRole(AriaRole.Link, new() { Name = "support actions" }).ClickAsync();
            await support.GetByTestId("support-browse-billing").ClickAsync();
            await Expect(support.GetByTestId("contact-section")).ToBeVisibleAsync();
            await Expect(support.GetByTestId("contact-save")).ToBeDisabledAsync();
            await Expect(support.GetByTestId("add-card")).ToBeDisabledAsync();

            // Move "Analytics" to Globex, which Olivia (who asked) owns too: SPEC §8 moves only between organizations sharing an Owner.
            await using (var ctx = await app.Services.GetRequiredService<IDbContextFactory<OrgConsole.Data.ApplicationDbContext>>().CreateDbContextAsync())
            {
                var olivia = await ctx.Users.Where(u => u.NormalizedEmail == "OWNER@ACME.EXAMPLE").Select(u => u.Id).SingleAsync();
                var globex = await ctx.Organizations.Where(o => o.Name == "Globex").Select(o => o.Id).SingleAsync();
                await ctx.RoleAssignments.Where(r => r.OrganizationId == globex && r.ProjectId == null && r.PrincipalId == olivia)
                    .ExecuteUpdateAsync(u => u.SetProperty(r => r.Role, OrgConsole.Access.Role.OrgOwner));
            }
            await support.GetByTestId("support-banner").GetByRole(AriaRole.Link, new() { Name = "support actions" }).ClickAsync();
            await Expect(support.GetByTestId("support-projects")).ToContainTextAsync("Analytics");
            await support.Locator("tr").Filter(new() { HasText = "Analytics" }).GetByTestId("support-move").ClickAsync();
            // The dialog's autocomplete may still be wiring up when the text arrives on a loaded machine: type again until it offers Globex.
            var globexOption = support.GetByRole(AriaRole.Option).Filter(new() { HasText = "Globex" }).First;
            for (var attempt = 0; attempt < 4; attempt++)
            {
                await MudInput(support, "move-target").FillAsync("Globex");
                try { await globexOption.WaitForAsync(new() { Timeout = 5_000 }); break; }
                catch (TimeoutException) when (attempt < 3) { await MudInput(support, "move-target").FillAsync(""); }
            }
            await globexOption.ClickAsync();
            // The choice renders back into the dialog before the next field is typed into (a render in between would drop the text).
            await Expect(MudInput(support, "move-target")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^Globex \\("));
            await MudInput(support, "move-owner").FillAsync("owner@acme.example");
            await MudInput(support, "move-reason").FillAsync("TICKET-4711 move to Globex");
            await Expect(MudInput(support, "move-owner")).ToHaveValueAsync("owner@acme.example");
            await support.GetByTestId("move-confirm").ClickAsync();
            await Expect(support.GetByText("Analytics was moved.")).ToBeVisibleAsync();
            await Expect(support.GetByTestId("support-projects")).Not.ToContainTextAsync("Analytics");

            // The owner sees the visit, by support, with the reason.
            await SignInAsync(owner, "owner@acme.example");
            await owner.GetByRole(AriaRole.Link, new() { Name = "Audit log", Exact = true }).ClickAsync();
            await WaitUntilInteractiveAsync(owner);
            await Expect(owner.GetByTestId("audit-chain")).ToContainTextAsync("verifies");
            var visit = owner.Locator("tr").Filter(new() { HasText = "support.accessed" });
            await Expect(visit).ToContainTextAsync("TICKET-4711 cannot find project");
            await Expect(visit).ToContainTextAsync("Support");
            await Expect(owner.Locator("tr").Filter(new() { HasText = "project.moved_out" })).ToContainTextAsync("TICKET-4711 move to Globex");
            await visit.ClickAsync();
            await Expect(owner.GetByTestId("audit-reason")).ToHaveTextAsync("TICKET-4711 cannot find project");
            await owner.ScreenshotAsync(new() { Path = "/tmp/audit-log.png", FullPage = true });
        });
    }
}
