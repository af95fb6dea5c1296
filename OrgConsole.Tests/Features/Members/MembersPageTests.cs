using System.Data.Common;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
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
    private async Task<(IRenderedComponent<MembersPage> Page, TestDb Db)> RenderAsAsync(Role role, Task? databaseGate = null,
        int moreMembers = 0, MemberListCommands? interceptor = null, Func<TestDb, Guid, Task>? arrange = null)
    {
        var db = await TestDb.CreateAsync(interceptor is null ? null : o => o.AddInterceptors(interceptor));
        if (interceptor is not null) db.KeptReads.Executing = interceptor.Record; // the unfiltered pages are kept reads on SQLite
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Members", "owner@members.example");
        await db.AddMemberAsync(orgId, Role.OrgMember, "umar@members.example");
        await db.AddMemberAsync(orgId, Role.OrgBillingAdmin, "bea@members.example");
        for (var i = 0; i < moreMembers; i++) await db.AddMemberAsync(orgId, Role.OrgMember, $"m{i:00}@members.example");
        if (arrange is not null) await arrange(db, orgId);
        Assert.True((await db.Service<InvitationService>(owner).InviteAsync(orgId, new InviteRequest(["pending@members.example"], Role.OrgMember))).IsSuccess);
        var userId = role switch
        {
            Role.OrgOwner => owner,
            _ => await db.AddMemberAsync(orgId, role, $"viewer-{role}@members.example".ToLowerInvariant()),
        };
        var scope = db.As(userId);
        var services = scope.ServiceProvider;
        // With a gate: the real service whose database waits until the test opens it (to see the grid while it loads); it
        // reads through EF Core (its kept read connections off), so every read of the page waits at the gate.
        Context.Services.AddScoped(_ => databaseGate is null ? services.GetRequiredService<MemberService>()
            : new MemberService(new GatedDbFactory(services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>(), databaseGate),
                services.GetRequiredService<Authorizer>(), services.GetRequiredService<AuditLog>(), db.Time, KeptReadConnections.Disabled()));
        var org = await SignInAsync(db, orgId, userId, [typeof(InvitationService), typeof(ProjectService)]);
        var page = Context.Render<MembersPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));
        if (databaseGate is null) page.WaitForAssertion(() => Assert.Contains("bea@members.example", page.Markup), TimeSpan.FromSeconds(10)); // first by email
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
        Assert.Empty(page.FindAll("[data-testid=members-pager]"));
        Assert.DoesNotContain("0-0 of 0", page.Markup);

        gate.SetResult();
        page.WaitForAssertion(() =>
        {
            Assert.Contains("umar@members.example", page.Markup);
            Assert.Empty(page.FindAll("[data-testid=members-loading]"));
            Assert.Single(page.FindAll("[data-testid=members-pager]"));
            Assert.Equal("1-3 of 3", page.Find("[data-testid=members-range]").TextContent.Trim());
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
            Assert.Empty(page.FindAll("[data-testid=members-pager]"));
        }, TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Every icon-only row action has a tooltip with its text, shown on hover and on keyboard focus: an element with
    /// role=tooltip beside the button (in its tooltip host, which the app's CSS shows on :hover and :focus-visible), named
    /// by the button's aria-describedby. Plain markup: no popover per closed tooltip.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task IconOnlyActions_HaveTooltips()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;

        foreach (var (testId, text) in new[] { ("change-role", "Change role"), ("add-role", "Add a role"), ("remove-member", "Remove from the organization") })
        {
            var actions = page.FindAll($"[data-testid={testId}]");
            Assert.NotEmpty(actions);
            Assert.All(actions, action =>
            {
                var button = action.TagName == "BUTTON" ? action : action.QuerySelector("button")!;
                Assert.NotNull(button);
                Assert.False(string.IsNullOrWhiteSpace(button.GetAttribute("aria-label")));
                var host = button.Closest(".oc-tooltip-host");
                Assert.NotNull(host);
                var tooltip = host.QuerySelector(":scope > [role=tooltip]");
                Assert.NotNull(tooltip);
                Assert.Equal(text, tooltip.TextContent.Trim());
                Assert.Contains("mud-tooltip", tooltip.ClassList);
                Assert.Equal(tooltip.Id, button.GetAttribute("aria-describedby"));
            });
        }
        Assert.Equal(page.FindAll("[data-testid=remove-member]").Count, page.FindAll("[role=tooltip]").Count(t => t.TextContent.Trim() == "Remove from the organization"));
        Assert.DoesNotContain(page.FindComponents<MudTooltip>(), t => t.FindAll("[data-testid=change-role], [data-testid=add-role], [data-testid=remove-member]").Count > 0);
    }

    [Fact]
    public void TheTooltipStylesheet_ShowsTooltipsOnHoverAndKeyboardFocus()
    {
        var css = File.ReadAllText(Path.Combine(SourceRoot(), "OrgConsole", "wwwroot", "app.css"));
        Assert.Contains(".oc-tooltip-host:hover > .oc-tooltip", css);
        Assert.Contains(".oc-tooltip-host:has(:focus-visible) > .oc-tooltip", css);
    }

    private static string SourceRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrgConsole", "wwwroot", "app.css"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The source tree was not found above the test binaries.");
    }

    /// <summary>A closed Members tab registers no popover: no tooltip, menu or select holds one until a person opens it.</summary>
    [Fact(Timeout = 30_000)]
    public async Task TheMembersTab_RegistersNoPopover_UntilSomethingIsOpened()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;
        var popovers = Context.Services.GetRequiredService<IPopoverService>();

        Assert.NotEmpty(page.FindAll("[data-testid=remove-member]"));
        Assert.Empty(popovers.ActivePopovers);

        await page.InvokeAsync(() => page.Find("[data-testid=add-role] button").Click());
        page.WaitForAssertion(() => Assert.NotEmpty(popovers.ActivePopovers), TimeSpan.FromSeconds(5));
    }

    /// <summary>A sort moves the keyed rows: a row whose member and whose actions did not change is not rendered again.</summary>
    [Fact(Timeout = 30_000)]
    public async Task Sorting_RendersNoUnchangedRowAgain_AndAriaSortFollowsTheOrder()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;
        var rows = page.FindComponents<MemberTableRow>();
        Assert.Equal(3, rows.Count);
        var renders = rows.ToDictionary(r => r.Instance.Item.UserId, r => r.RenderCount);
        Assert.All(page.FindAll("th[aria-sort]"), th => Assert.Equal("none", th.GetAttribute("aria-sort")));

        await page.Find("button[data-sort=name]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("ascending", SortOf(page, "name")), TimeSpan.FromSeconds(10));
        var ascending = Emails(page);
        await page.Find("button[data-sort=name]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("descending", SortOf(page, "name")), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.Equal(ascending.AsEnumerable().Reverse(), Emails(page)), TimeSpan.FromSeconds(10));
        Assert.All(new[] { "role", "projects", "joined", "last-active" }, key => Assert.Equal("none", SortOf(page, key)));

        await page.Find("button[data-sort=joined]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("ascending", SortOf(page, "joined")), TimeSpan.FromSeconds(10));
        Assert.Equal("none", SortOf(page, "name"));

        Assert.All(rows, r => Assert.Equal(renders[r.Instance.Item.UserId], r.RenderCount));
    }

    /// <summary>
    /// A click leaves nothing new in the table's render tree for what did not change: every sort and pager button keeps its
    /// handler id (the renderer registers none and retires none), and each unchanged member comes back as the very item
    /// its row already holds, with the same actions object — so no row parameter is a new object.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task ASortClick_KeepsEveryButtonsHandler_AndHandsUnchangedRowsTheObjectsTheyHold()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner, moreMembers: 30); // 34 members: a first page of 25 and a second
        await using var _ = db;
        const string buttons = "button[data-sort], [data-testid=members-pager] button";
        string?[] HandlerIds() => page.FindAll(buttons).Select(b => b.GetAttribute("blazor:onclick")).ToArray();
        Dictionary<string, MemberListItem> Shown() => page.FindComponents<MemberTableRow>().ToDictionary(r => r.Instance.Item.UserId, r => r.Instance.Item);
        var handlers = HandlerIds();
        Assert.Equal(9, handlers.Length); // five sort headers, four pager buttons
        Assert.All(handlers, id => Assert.False(string.IsNullOrEmpty(id)));
        var actions = page.FindComponents<MemberTableRow>()[0].Instance.Actions;
        var shown = Shown();

        async Task ClickAsync(string selector, Action<IRenderedComponent<MembersPage>> arrived, bool othersOnly = false)
        {
            await page.Find(selector).ClickAsync(new());
            page.WaitForAssertion(() => arrived(page), TimeSpan.FromSeconds(10));
            var now = Shown();
            var returning = now.Keys.Where(shown.ContainsKey).ToList();
            Assert.Equal(othersOnly, returning.Count == 0);
            Assert.All(returning, user => Assert.Same(shown[user], now[user])); // the very item its row held
            Assert.All(page.FindComponents<MemberTableRow>(), r => Assert.Same(actions, r.Instance.Actions));
            Assert.Equal(handlers, HandlerIds());
            shown = now;
        }

        await ClickAsync("button[data-sort=joined]", p => Assert.Equal("ascending", SortOf(p, "joined")));
        await ClickAsync("button[data-sort=joined]", p => Assert.Equal("descending", SortOf(p, "joined")));
        await ClickAsync("button[data-sort=name]", p => Assert.Equal("ascending", SortOf(p, "name")));
        await ClickAsync("[data-testid=members-last]", p => Assert.StartsWith("26-", p.Find("[data-testid=members-range]").TextContent), othersOnly: true);
        await ClickAsync("button[data-sort=name]", p => Assert.Equal("descending", SortOf(p, "name"))); // from the first page: the last nine come first
    }

    /// <summary>A member that changed is rendered again when the list comes back (the skipped render is only for unchanged rows).</summary>
    [Fact(Timeout = 30_000)]
    public async Task AMemberChangedMeanwhile_IsRenderedAgainAtTheNextSort_TheOthersAreNot()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;
        var rows = page.FindComponents<MemberTableRow>();
        var renders = rows.ToDictionary(r => r.Instance.Item.Email, r => r.RenderCount);
        var umar = rows.Single(r => r.Instance.Item.Email == "umar@members.example").Instance.Item;
        var members = db.Service<MemberService>(page.Instance.Org!.UserId);
        Assert.True((await members.AddRoleAsync(page.Instance.OrgId, umar.UserId, Role.OrgBillingAdmin)).IsSuccess);

        await page.Find("button[data-sort=joined]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal(["User", "Billing admin"],
            page.FindAll("tbody tr").Single(r => r.TextContent.Contains("umar@members.example")).QuerySelectorAll("[data-testid=member-role]").Select(c => c.TextContent.Trim())),
            TimeSpan.FromSeconds(10));
        Assert.All(rows, r => Assert.Equal(r.Instance.Item.Email == umar.Email ? renders[umar.Email] + 1 : renders[r.Instance.Item.Email], r.RenderCount));
    }

    /// <summary>Next and previous page after a sort go by keyset from the edge row (no OFFSET); a jump to the last page by offset.</summary>
    [Fact(Timeout = 60_000)]
    public async Task NextPage_AfterASort_UsesTheKeyset_AndAJumpUsesTheOffset()
    {
        var commands = new MemberListCommands();
        var (page, db) = await RenderAsAsync(Role.OrgOwner, moreMembers: 48, interceptor: commands);
        await using var _ = db;
        page.WaitForAssertion(() => Assert.Equal("1-25 of 51", page.Find("[data-testid=members-range]").TextContent.Trim()), TimeSpan.FromSeconds(10));

        await page.Find("button[data-sort=name]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("ascending", SortOf(page, "name")), TimeSpan.FromSeconds(10));
        var first = Emails(page);
        commands.Watch();
        await page.Find("[data-testid=members-next]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("26-50 of 51", page.Find("[data-testid=members-range]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        var second = Emails(page);
        Assert.Equal(25, second.Count);
        Assert.Empty(first.Intersect(second));
        Assert.DoesNotContain("OFFSET", Assert.Single(commands.Taken()), StringComparison.OrdinalIgnoreCase);

        commands.Watch();
        await page.Find("[data-testid=members-previous]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal(first, Emails(page)), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("OFFSET", Assert.Single(commands.Taken()), StringComparison.OrdinalIgnoreCase);
        Assert.True(page.Find("[data-testid=members-previous]").HasAttribute("disabled"));

        commands.Watch();
        await page.Find("[data-testid=members-last]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("51-51 of 51", page.Find("[data-testid=members-range]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Empty(Emails(page).Intersect(first.Concat(second)));
        Assert.Contains("OFFSET", Assert.Single(commands.Taken()), StringComparison.OrdinalIgnoreCase);
        Assert.True(page.Find("[data-testid=members-next]").HasAttribute("disabled"));
        Assert.True(page.Find("[data-testid=members-last]").HasAttribute("disabled"));
    }

    [Fact(Timeout = 60_000)]
    public async Task RowsPerPage_OffersTwentyFiveFiftyAHundred_AndShowsThatMany()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner, moreMembers: 26);
        await using var _ = db;
        page.WaitForAssertion(() => Assert.Equal(25, page.FindComponents<MemberTableRow>().Count), TimeSpan.FromSeconds(10));
        var select = page.Find("select[data-testid=members-page-size]");
        Assert.Equal(["25", "50", "100"], select.QuerySelectorAll("option").Select(o => o.GetAttribute("value")));

        await select.ChangeAsync(new() { Value = "50" });

        page.WaitForAssertion(() =>
        {
            Assert.Equal(29, page.FindComponents<MemberTableRow>().Count);
            Assert.Equal("1-29 of 29", page.Find("[data-testid=members-range]").TextContent.Trim());
        }, TimeSpan.FromSeconds(10));
    }

    private static string SortOf(IRenderedComponent<MembersPage> page, string key) =>
        page.Find($"button[data-sort={key}]").Closest("th")!.GetAttribute("aria-sort")!;

    private static List<string> Emails(IRenderedComponent<MembersPage> page) =>
        page.FindComponents<MemberTableRow>().Select(r => r.Instance.Item.Email).ToList() is var keyed
            ? page.FindAll("tbody tr").Select(tr => keyed.Single(e => tr.TextContent.Contains(e))).ToList()
            : [];

    /// <summary>The member list's page queries (the SELECTs with a LIMIT, not the counts), once watching.</summary>
    private sealed class MemberListCommands : DbCommandInterceptor
    {
        private readonly List<string> _taken = [];
        private bool _watching;

        public void Watch()
        {
            lock (_taken) { _taken.Clear(); _watching = true; }
        }

        public List<string> Taken()
        {
            lock (_taken) return [.. _taken];
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public void Record(DbCommand command)
        {
            var sql = command.CommandText;
            if (sql.Contains("LIMIT", StringComparison.OrdinalIgnoreCase) && !sql.TrimStart().StartsWith("SELECT COUNT(", StringComparison.OrdinalIgnoreCase)
                && !sql.Contains("\"MemberCount\"", StringComparison.Ordinal))
                lock (_taken) if (_watching) _taken.Add(command.CommandText);
        }
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

    /// <summary>
    /// Until opened, "add a role" is MudMenu's activator markup in the row (no component, no popover); the first click
    /// brings the real menu, open, and its items add the role.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task TheAddRoleMenu_LooksLikeMudMenusActivator_UntilOpened_ThenAddsTheRole()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;
        var popovers = PopoverProvider;
        var umar = page.FindComponents<MemberTableRow>().Single(r => r.Instance.Item.Email == "umar@members.example");

        var button = umar.Find("[data-testid=add-role] button");
        Assert.Equal("Add a role to umar@members.example", button.GetAttribute("aria-label"));
        Assert.Equal("menu", button.GetAttribute("aria-haspopup"));
        Assert.Equal("false", button.GetAttribute("aria-expanded"));
        Assert.Contains("mud-icon-button-size-small", button.ClassList);
        Assert.Contains("mud-menu-icon-button-activator", button.ClassList);
        Assert.False(umar.Instance.AddRoleMenuMaterialized);
        Assert.Empty(popovers.FindAll(".mud-popover"));

        await umar.InvokeAsync(() => umar.Find("[data-testid=add-role] button").Click());
        popovers.WaitForAssertion(() => Assert.Contains("Add Billing admin", popovers.Find(".mud-popover-open").TextContent), TimeSpan.FromSeconds(10));
        Assert.True(umar.Instance.AddRoleMenuMaterialized);
        await popovers.InvokeAsync(() => popovers.FindAll(".mud-popover-open .mud-menu-item").Single(i => i.TextContent.Contains("Add Billing admin")).Click());

        page.WaitForAssertion(() => Assert.Contains(Role.OrgBillingAdmin, page.FindComponents<MemberTableRow>().Single(r => r.Instance.Item.Email == "umar@members.example").Instance.Item.Roles), TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// A row renders what never changes as markup (icons, role chips, tooltips, the figures), so its render tree stays
    /// within 64 frames and the table's (with the demo's rows) within 256: the arrays a circuit keeps per component.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task ARow_KeepsAtMost64RenderTreeFrames_AndTheTableAtMost256()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner, moreMembers: 3);
        await using var _ = db;
        var frames = typeof(Microsoft.AspNetCore.Components.RenderTree.Renderer).GetMethod("GetCurrentRenderTreeFrames",
            System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        int Count(int componentId) => (int)frames.ReturnType.GetField("Count")!.GetValue(frames.Invoke(Context.Renderer, [componentId]))!;

        var rows = page.FindComponents<MemberTableRow>();
        Assert.Equal(6, rows.Count);
        Assert.All(rows, row => Assert.InRange(Count(row.ComponentId), 1, 64));
        Assert.InRange(Count(page.FindComponent<MemberTable>().ComponentId), 1, 256);
    }

    /// <summary>The markup a row writes as text holds no user input: a hostile display name is shown as text, never as HTML.</summary>
    [Fact(Timeout = 30_000)]
    public async Task AHostileDisplayName_IsShownAsText()
    {
        const string hostile = "<img src=x onerror=alert(1)><b>Mallory</b>";
        var (page, db) = await RenderAsAsync(Role.OrgOwner, arrange: async (db, orgId) =>
        {
            var id = await db.CreateUserAsync("mallory@members.example");
            await using (var context = await db.DbFactory.CreateDbContextAsync())
            {
                var user = await context.Users.SingleAsync(u => u.Id == id);
                user.DisplayName = hostile;
                await context.SaveChangesAsync();
            }
            await db.GrantAsync(orgId, id, Role.OrgMember);
        });
        await using var _ = db;

        var row = page.FindComponents<MemberTableRow>().Single(r => r.Instance.Item.Email == "mallory@members.example");
        Assert.Empty(row.FindAll("img"));
        Assert.Empty(row.FindAll("b"));
        Assert.Contains(hostile, row.Find("td[data-label=Member] p").TextContent);
        Assert.Equal("Member", row.Find("td[data-label=Projects]").PreviousElementSibling!.PreviousElementSibling!.GetAttribute("data-label"));
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
        var invite = page.Find("[data-testid=invite-members]");
        Assert.True(invite.HasAttribute("disabled"));
        // The explanation is a CSS tooltip (role=tooltip) that describes the disabled button.
        var tooltip = page.Find($"#{invite.GetAttribute("aria-describedby")}");
        Assert.Equal("tooltip", tooltip.GetAttribute("role"));
        Assert.Equal("Needs the Owner role", tooltip.TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=change-role]"));
        Assert.Empty(page.FindAll("[data-testid=remove-member]"));
        Assert.Empty(page.FindAll("[data-testid=transfer-ownership]"));
        Assert.DoesNotContain("pending@members.example", page.Markup);
        Assert.Equal(["Members"], page.FindAll("[role=tab]").Select(t => t.TextContent.Trim()));
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

        await page.InvokeAsync(() => page.Find("[data-testid=transfer-ownership]").Click());
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
        await page.InvokeAsync(() => page.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Invitations").Click());
        page.WaitForAssertion(() => Assert.Equal("1–25 of 30", page.Find("[data-testid=invitations-range]").TextContent), TimeSpan.FromSeconds(10));
        await page.Find("[data-testid=invitations-next]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("26–30 of 30", page.Find("[data-testid=invitations-range]").TextContent), TimeSpan.FromSeconds(10));

        await page.InvokeAsync(() => page.Find("[data-testid=invite-members]").Click());
        DialogProvider.WaitForElement("[data-testid=invite-emails] textarea, textarea[data-testid=invite-emails]", TimeSpan.FromSeconds(5))
            .Change("newest@paging.example");
        await DialogProvider.Find("[data-testid=invite-send]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("1–25 of 31", page.Find("[data-testid=invitations-range]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Contains("newest@paging.example", page.Markup);
    }

    /// <summary>
    /// Issue 17: the page's shell (header, buttons, the invite explanation, tabs, search box, loading bar) is markup, not
    /// MudBlazor components: besides the table (MemberTable, its keyed rows, their closed menus) the page renders only its
    /// title, the tab strip and the search box, and nothing registers a popover while closed (not the disabled invite
    /// button's explanation either).
    /// </summary>
    [Theory(Timeout = 30_000)]
    [InlineData(Role.OrgOwner)]
    [InlineData(Role.OrgMember)]
    public async Task ThePageShell_IsMarkup_ThreeComponentsBesideTheTable_AndNoPopover(Role role)
    {
        var (page, db) = await RenderAsAsync(role);
        await using var _ = db;
        var popovers = Context.Services.GetRequiredService<IPopoverService>();

        var components = page.FindComponents<Microsoft.AspNetCore.Components.IComponent>().Select(c => c.Instance.GetType()).ToList();
        Assert.DoesNotContain(components, t => t.Namespace == typeof(MudButton).Namespace);
        // A member is one component (its row): nothing inside a row is a component of its own while closed.
        Assert.Equal(page.FindAll("tbody tr").Count, components.Count(t => t == typeof(MemberTableRow)));
        var shell = components.Where(t => t != typeof(MemberTable) && t != typeof(MemberTableRow)).Select(t => t.Name).ToList();
        Assert.True(shell.Count <= 4, $"The page shell renders {shell.Count} components: {string.Join(", ", shell)}");
        Assert.Contains(nameof(TabStrip), shell);
        Assert.Contains(nameof(SearchField), shell);
        Assert.Empty(popovers.ActivePopovers);
    }

    /// <summary>The tabs follow the WAI-ARIA tabs pattern: tablist/tab/tabpanel, aria-selected, aria-controls and a roving tabindex.</summary>
    [Fact(Timeout = 30_000)]
    public async Task TheTabs_AreAriaTabs_WithARovingTabindex_AndAClickSwitchesThePanel()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;

        var list = page.Find("[role=tablist]");
        Assert.False(string.IsNullOrWhiteSpace(list.GetAttribute("aria-label")));
        AssertSelected(page, "Members", "members-tab");
        Assert.Contains("bea@members.example", page.Find("[data-testid=members-tab]").TextContent);
        // The keyboard (Left/Right/Home/End) is handled in the browser by the strip's module, imported once it is interactive.
        Assert.Contains(Context.JSInterop.Invocations["import"], i => i.Arguments.Single() as string == "./Components/Shared/TabStrip.razor.js");

        await page.InvokeAsync(() => page.FindAll("[role=tab]").Single(t => t.TextContent.Trim() == "Invitations").Click());

        page.WaitForAssertion(() => Assert.Contains("pending@members.example", page.Find("[data-testid=invitations-tab]").TextContent), TimeSpan.FromSeconds(10));
        AssertSelected(page, "Invitations", "invitations-tab");
        Assert.Empty(page.FindAll("[data-testid=members-grid]"));
    }

    private static void AssertSelected(IRenderedComponent<MembersPage> page, string name, string panelTestId)
    {
        var tabs = page.FindAll("[role=tab]");
        Assert.Equal(["Members", "Invitations"], tabs.Select(t => t.TextContent.Trim()));
        Assert.All(tabs, tab =>
        {
            var selected = tab.TextContent.Trim() == name;
            Assert.Equal(selected ? "true" : "false", tab.GetAttribute("aria-selected"));
            Assert.Equal(selected ? "0" : "-1", tab.GetAttribute("tabindex"));
            Assert.Contains("mud-tab", tab.ClassList);
            Assert.Equal(selected, tab.ClassList.Contains("mud-tab-active"));
            var panel = page.Find($"#{tab.GetAttribute("aria-controls")}");
            Assert.Equal("tabpanel", panel.GetAttribute("role"));
            Assert.Equal(tab.Id, panel.GetAttribute("aria-labelledby"));
            Assert.Equal(!selected, panel.HasAttribute("hidden"));
        });
        var shown = Assert.Single(page.FindAll("[role=tabpanel]:not([hidden])"));
        Assert.Equal(panelTestId, shown.GetAttribute("data-testid"));
    }

    /// <summary>
    /// Typing searches once per pause (300 ms after the last keystroke: one query for three keystrokes, and the box does not
    /// render per keystroke); the clear button (a labelled button in the Tab order) restores the list at once.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task Search_RunsOneQueryPerPause_AndTheClearButtonRestoresTheList()
    {
        var commands = new MemberListCommands();
        var (page, db) = await RenderAsAsync(Role.OrgOwner, interceptor: commands);
        await using var _ = db;
        var box = page.FindComponent<SearchField>();
        Assert.Empty(page.FindAll("[data-testid=search-clear]"));
        var renders = box.RenderCount;
        commands.Watch();

        foreach (var text in new[] { "u", "um", "uma", "umar" }) page.Find("input[data-testid=member-search]").Input(text);
        Assert.Equal(renders + 1, box.RenderCount); // once for four keystrokes, when the clear button came

        page.WaitForAssertion(() => Assert.Equal(["umar@members.example"], Emails(page)), TimeSpan.FromSeconds(10));
        await Task.Delay(700); // longer than a pause: nothing else is searched
        Assert.Single(commands.Taken()); // for "umar" (the rows above), not "u", "um", "uma"
        var clear = page.Find("[data-testid=search-clear]");
        Assert.Equal("button", clear.GetAttribute("type"));
        Assert.False(string.IsNullOrWhiteSpace(clear.GetAttribute("aria-label")));
        Assert.Null(clear.GetAttribute("tabindex"));

        commands.Watch();
        await clear.ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal(3, page.FindComponents<MemberTableRow>().Count), TimeSpan.FromSeconds(10));
        Assert.Equal("", page.Find("input[data-testid=member-search]").GetAttribute("value"));
        Assert.Empty(page.FindAll("[data-testid=search-clear]"));
        await Task.Delay(700);
        Assert.Single(commands.Taken()); // the clear searched at once, and no pending pause searched again
    }

    /// <summary>A pause that brings back the text already searched searches nothing.</summary>
    [Fact(Timeout = 30_000)]
    public async Task Search_TheSameTextAfterAPause_SearchesNothing()
    {
        var commands = new MemberListCommands();
        var (page, db) = await RenderAsAsync(Role.OrgOwner, interceptor: commands);
        await using var _ = db;
        commands.Watch();
        page.Find("input[data-testid=member-search]").Input("bea");
        page.WaitForAssertion(() => Assert.Single(commands.Taken()), TimeSpan.FromSeconds(10));

        page.Find("input[data-testid=member-search]").Input("bea@");
        page.Find("input[data-testid=member-search]").Input("bea");
        await Task.Delay(700);

        Assert.Single(commands.Taken());
    }

    /// <summary>
    /// A disabled button takes neither focus nor hover, so the explanation of the disabled "Invite members" sits in a host
    /// that the keyboard reaches (tabindex=0, a group named by the button and described by the tooltip) and the pointer
    /// hovers; the stylesheet shows it on the host's keyboard focus. Someone who may invite gets no explanation.
    /// </summary>
    [Theory(Timeout = 30_000)]
    [InlineData(Role.OrgMember, "Needs the Owner role")]
    [InlineData(Role.OrgOwner, null)]
    public async Task TheDisabledInviteButton_ExplainsWhy_ToKeyboardAndScreenReaders(Role role, string? explanation)
    {
        var (page, db) = await RenderAsAsync(role);
        await using var _ = db;
        var invite = page.Find("[data-testid=invite-members]");

        if (explanation is null)
        {
            Assert.False(invite.HasAttribute("disabled"));
            Assert.Null(invite.GetAttribute("aria-describedby"));
            Assert.DoesNotContain(page.FindAll("[role=tooltip]"), t => t.TextContent.Contains("Needs"));
            return;
        }
        Assert.True(invite.HasAttribute("disabled"));
        var tipId = invite.GetAttribute("aria-describedby");
        Assert.False(string.IsNullOrEmpty(tipId));
        var host = invite.Closest(".oc-tooltip-host")!;
        Assert.NotNull(host);
        var tooltip = host.QuerySelector(":scope > [role=tooltip]")!;
        Assert.NotNull(tooltip);
        Assert.Equal(tipId, tooltip.Id);
        Assert.Equal(explanation, tooltip.TextContent.Trim());
        Assert.Contains("mud-tooltip", tooltip.ClassList);
        Assert.Equal("0", host.GetAttribute("tabindex"));
        Assert.Equal("group", host.GetAttribute("role"));
        Assert.Equal(invite.Id, host.GetAttribute("aria-labelledby"));
        Assert.Equal(tipId, host.GetAttribute("aria-describedby"));
        var css = File.ReadAllText(Path.Combine(SourceRoot(), "OrgConsole", "wwwroot", "app.css"));
        Assert.Contains(".oc-tooltip-host:focus-visible > .oc-tooltip", css);
    }

    /// <summary>While the organization is not known yet, the page shows a loading bar (markup, no component).</summary>
    [Fact(Timeout = 30_000)]
    public async Task BeforeTheOrganizationIsKnown_ThePageShowsALoadingBar()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Loading", "owner@loading.example");
        await SignInAsync(db, orgId, owner, [typeof(MemberService), typeof(InvitationService), typeof(ProjectService)]);

        var page = Context.Render<MembersPage>(p => p.Add(x => x.OrgId, orgId));

        var bar = page.Find("[role=progressbar]");
        Assert.Equal("Loading", bar.GetAttribute("aria-label"));
        Assert.Contains("mud-progress-indeterminate", bar.ClassList);
        Assert.DoesNotContain(page.FindComponents<Microsoft.AspNetCore.Components.IComponent>(), c => c.Instance.GetType().Namespace == typeof(MudProgressLinear).Namespace);
        Assert.Empty(page.FindAll("[role=tablist]"));
        Assert.Empty(page.FindAll("[data-testid=invite-members]"));
    }

    /// <summary>
    /// Only the shown tab's panel is rendered, so coming back to Members brings a fresh table: the search box comes back
    /// empty with it, never showing a text the table does not filter by.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task BackOnTheMembersTab_TheSearchBoxAndTheTableAgree()
    {
        var (page, db) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;
        page.Find("input[data-testid=member-search]").Input("bea");
        page.WaitForAssertion(() => Assert.Equal(["bea@members.example"], Emails(page)), TimeSpan.FromSeconds(10));

        await page.InvokeAsync(() => page.FindAll("[role=tab]").Single(t => t.TextContent.Trim() == "Invitations").Click());
        page.WaitForAssertion(() => Assert.Contains("pending@members.example", page.Markup), TimeSpan.FromSeconds(10));
        await page.InvokeAsync(() => page.FindAll("[role=tab]").Single(t => t.TextContent.Trim() == "Members").Click());

        page.WaitForAssertion(() => Assert.Equal(3, page.FindComponents<MemberTableRow>().Count), TimeSpan.FromSeconds(10));
        Assert.True(string.IsNullOrEmpty(page.Find("input[data-testid=member-search]").GetAttribute("value")));
        Assert.Empty(page.FindAll("[data-testid=search-clear]"));
    }
}
