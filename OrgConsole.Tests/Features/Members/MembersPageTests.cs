using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OrgConsole.Access;
using OrgConsole.Components.Shared;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Members;
using OrgConsole.Features.Members.Pages;
using OrgConsole.Features.Projects;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Members;

/// <summary>The members page per role, against the real services on SQLite.</summary>
public sealed class MembersPageTests : MudComponentTest
{
    private async Task<(IRenderedComponent<MembersPage> Page, TestDb Db)> RenderAsAsync(Role role, Task? databaseGate = null)
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Members", "owner@members.example");
        await db.AddMemberAsync(orgId, Role.OrgMember, "umar@members.example");
        await db.AddMemberAsync(orgId, Role.OrgBillingAdmin, "bea@members.example");
        Assert.True((await db.Service<InvitationService>(owner).InviteAsync(orgId, new InviteRequest(["pending@members.example"], Role.OrgMember))).IsSuccess);
        var userId = role switch
        {
            Role.OrgOwner => owner,
            _ => await db.AddMemberAsync(orgId, role, $"viewer-{role}@members.example".ToLowerInvariant()),
        };
        var scope = db.As(userId);
        var services = scope.ServiceProvider;
        // With a gate: the real service whose database waits until the test opens it (to see the grid while it loads).
        Context.Services.AddScoped(_ => databaseGate is null ? services.GetRequiredService<MemberService>()
            : new MemberService(new GatedDbFactory(services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>(), databaseGate),
                services.GetRequiredService<Authorizer>(), services.GetRequiredService<AuditLog>(), db.Time));
        var org = await SignInAsync(db, orgId, userId, [typeof(InvitationService), typeof(ProjectService)]);
        var page = Context.Render<MembersPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));
        if (databaseGate is null) page.WaitForAssertion(() => Assert.Contains("umar@members.example", page.Markup), TimeSpan.FromSeconds(10));
        return (page, db);
    }

    private sealed class GatedDbFactory(IDbContextFactory<ApplicationDbContext> inner, Task gate) : IDbContextFactory<ApplicationDbContext>
    {
        public ApplicationDbContext CreateDbContext() => throw new InvalidOperationException("The member service opens its database asynchronously.");

        public async Task<ApplicationDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            await gate.WaitAsync(cancellationToken);
            return await inner.CreateDbContextAsync(cancellationToken);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task TheGrid_ShowsALoadingState_UntilTheMembersArrive()
    {
        var gate = new TaskCompletionSource();
        var (page, db) = await RenderAsAsync(Role.OrgOwner, gate.Task);
        await using var _ = db;

        page.WaitForAssertion(() => Assert.Contains("Loading members", page.Find("[data-testid=members-loading]").TextContent), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("umar@members.example", page.Markup);
        Assert.Empty(page.FindComponents<MudDataGridPager<MemberListItem>>());
        Assert.DoesNotContain("0-0 of 0", page.Markup);

        gate.SetResult();
        page.WaitForAssertion(() =>
        {
            Assert.Contains("umar@members.example", page.Markup);
            Assert.Empty(page.FindAll("[data-testid=members-loading]"));
            Assert.Single(page.FindComponents<MudDataGridPager<MemberListItem>>());
        }, TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 30_000)]
    public async Task ASearchThatFindsNobody_SaysSo_InsteadOf0To0Of0()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;

        page.Find("[data-testid=member-search] input, input[data-testid=member-search]").Input("nobody-here");

        page.WaitForAssertion(() =>
        {
            Assert.Contains("No members match “nobody-here”", page.Find("[data-testid=members-empty]").TextContent);
            Assert.DoesNotContain("umar@members.example", page.Markup);
            Assert.DoesNotContain("0-0 of 0", page.Markup);
            Assert.Empty(page.FindComponents<MudDataGridPager<MemberListItem>>());
        }, TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 30_000)]
    public async Task IconOnlyActions_HaveTooltips()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;

        var tooltips = page.FindComponents<MudTooltip>();
        foreach (var (testId, text) in new[] { ("change-role", "Change role"), ("add-role", "Add a role"), ("remove-member", "Remove from the organization") })
        {
            var wrapping = tooltips.Where(t => t.Instance.Text == text).ToList();
            Assert.NotEmpty(wrapping);
            Assert.All(wrapping, t => Assert.NotEmpty(t.FindAll($"[data-testid={testId}]")));
        }
        Assert.Equal(page.FindAll("[data-testid=remove-member]").Count, tooltips.Count(t => t.Instance.Text == "Remove from the organization"));
    }

    [Fact(Timeout = 30_000)]
    public async Task TheGrid_HasNoMenuComponentUntilOneIsOpened()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;

        // Add-role menus are activator markup only; the grid shows no column-options menus.
        Assert.NotEmpty(page.FindAll("[data-testid=add-role] button[aria-haspopup=menu]"));
        Assert.Empty(page.FindComponents<MudMenu>());

        await page.InvokeAsync(() => page.Find("[data-testid=add-role] button").Click());
        page.WaitForAssertion(() => Assert.Single(page.FindComponents<MudMenu>()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Owner_SeesInviteRoleRemoveTransferAndTheInvitationsTab()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;

        Assert.False(page.Find("[data-testid=invite-members]").HasAttribute("disabled"));
        Assert.NotEmpty(page.FindAll("[data-testid=change-role]"));
        Assert.Equal(2, page.FindAll("[data-testid=remove-member]").Count); // Umar and Bea; not the owner themself
        Assert.NotEmpty(page.FindAll("[data-testid=transfer-ownership]"));
        Assert.Contains("Invitations", page.Markup);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheInvitationsList_ShowsEveryRoleOfAnInvite()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Invites", "owner@invites.example");
        var projectId = await db.AddProjectAsync(orgId, "Search");
        var invitations = db.Service<InvitationService>(owner);
        var invite = (await invitations.InviteAsync(orgId, new InviteRequest(["two@invites.example"], Role.OrgMember, [new(projectId, Role.ProjectMember)]))).Value.Invited[0];
        Assert.True((await invitations.AddRoleAsync(orgId, invite.Id, null, Role.OrgBillingAdmin)).IsSuccess);
        Assert.True((await invitations.AddRoleAsync(orgId, invite.Id, projectId, Role.ProjectOwner)).IsSuccess);
        var org = await SignInAsync(db, orgId, owner, [typeof(InvitationService)]);

        var tab = Context.Render<InvitationsTab>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));

        tab.WaitForAssertion(() => Assert.Contains("two@invites.example", tab.Markup), TimeSpan.FromSeconds(10));
        Assert.Equal(["User", "Billing admin"], tab.FindAll("[data-testid=invitation-role]").Select(c => c.TextContent.Trim()));
        Assert.Equal(["Search (Project owner)", "Search (Project user)"], tab.FindAll("[data-testid=invitation-project-role]").Select(c => c.TextContent.Trim()));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Role.OrgMember)]
    [InlineData(Role.OrgBillingAdmin)]
    public async Task UsersAndBillingAdmins_SeeTheListReadOnly(Role role)
    {
        var (page, db) = await RenderAsAsync(role);
        await using var _ = db;

        Assert.Contains("bea@members.example", page.Markup);
        Assert.True(page.Find("[data-testid=invite-members]").HasAttribute("disabled"));
        Assert.Contains(page.FindComponents<MudTooltip>(), t => t.Instance.Text == "Needs the Owner role" && !t.Instance.Disabled);
        Assert.Empty(page.FindAll("[data-testid=change-role]"));
        Assert.Empty(page.FindAll("[data-testid=remove-member]"));
        Assert.Empty(page.FindAll("[data-testid=transfer-ownership]"));
        Assert.DoesNotContain("pending@members.example", page.Markup);
        Assert.DoesNotContain(page.FindComponents<MudTabPanel>(), t => t.Instance.Text == "Invitations");
        // Everyone may leave.
        Assert.NotEmpty(page.FindAll("[data-testid=leave-org]"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Search_FiltersTheGridOnTheServer()
    {
        var (page, db) = await RenderAsAsync(Role.OrgMember);
        await using var _ = db;

        page.Find("[data-testid=member-search] input, input[data-testid=member-search]").Input("bea@");

        page.WaitForAssertion(() =>
        {
            Assert.Contains("bea@members.example", page.Markup);
            Assert.DoesNotContain("umar@members.example", page.Markup);
        }, TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 30_000)]
    public async Task TransferOwnership_NeverOffersTheOwnerThemself()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;

        page.Find("[data-testid=transfer-ownership]").Click();
        DialogProvider.WaitForState(() => DialogProvider.FindComponents<MudAutocomplete<MemberListItem>>().Count == 1, TimeSpan.FromSeconds(5));
        var autocomplete = DialogProvider.FindComponent<MudAutocomplete<MemberListItem>>();
        var search = autocomplete.Instance.SearchFunc;
        Assert.NotNull(search);
        var searching = search("", CancellationToken.None);
        Assert.NotNull(searching);
        var candidates = await searching ?? [];
        var offered = candidates.Select(m => m?.Email).ToList();

        Assert.Contains("umar@members.example", offered);
        Assert.DoesNotContain("owner@members.example", offered);
    }

    [Fact(Timeout = 60_000)]
    public async Task AfterANewInvite_TheInvitationsTabGoesBackToTheFirstPage_WhereTheNewInviteIs()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Paging", "owner@paging.example");
        var earlier = Enumerable.Range(0, 30).Select(i => $"early{i:00}@paging.example").ToList();
        Assert.True((await db.Service<InvitationService>(owner).InviteAsync(orgId, new InviteRequest(earlier, Role.OrgMember))).IsSuccess);
        db.Time.Advance(TimeSpan.FromMinutes(5));
        var org = await SignInAsync(db, orgId, owner, [typeof(MemberService), typeof(InvitationService), typeof(ProjectService)]);
        var page = Context.Render<MembersPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));
        page.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Invitations").Click();
        page.WaitForAssertion(() => Assert.Equal("1–25 of 30", page.Find("[data-testid=invitations-range]").TextContent), TimeSpan.FromSeconds(10));
        await page.Find("[data-testid=invitations-next]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("26–30 of 30", page.Find("[data-testid=invitations-range]").TextContent), TimeSpan.FromSeconds(10));

        page.Find("[data-testid=invite-members]").Click();
        DialogProvider.WaitForElement("[data-testid=invite-emails] textarea, textarea[data-testid=invite-emails]", TimeSpan.FromSeconds(5))
            .Change("newest@paging.example");
        await DialogProvider.Find("[data-testid=invite-send]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("1–25 of 31", page.Find("[data-testid=invitations-range]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Contains("newest@paging.example", page.Markup);
    }
}
