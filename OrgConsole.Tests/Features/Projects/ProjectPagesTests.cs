using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using OrgConsole.Access;
using OrgConsole.Components.Shared;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Features.Projects;
using OrgConsole.Features.Projects.Pages;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Projects;

/// <summary>What each role sees and may click on the projects list and a project's tabs, against the real services on SQLite.</summary>
public sealed class ProjectPagesTests : MudComponentTest
{
    private const string NeedsProjectOwner = "Needs the Project owner role";

    /// <summary>Where dialogs render (the app's layout holds the provider, not the page).</summary>
    private IRenderedComponent<MudDialogProvider> Dialogs { get; set; } = default!;

    /// <summary>
    /// An organization like the demo's: Umar (User) created and owns "Search", Dana (User) is its Project user,
    /// Bea is Billing admin without a project role, and "Analytics" has no explicit members. Search has one API key.
    /// </summary>
    private sealed record Acme(TestDb Db, Guid OrgId, Guid SearchId, Guid AnalyticsId, string OwnerId, string UmarId, string DanaId, string BeaId, Guid KeyId);

    private static async Task<Acme> SeedAsync(Plan plan = Plan.Standard)
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Projects", "owner@projects.example");
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Organizations.Where(o => o.Id == orgId).ExecuteUpdateAsync(s => s.SetProperty(o => o.Plan, plan));
        }
        var umar = await db.AddMemberAsync(orgId, Role.OrgMember, "umar@projects.example");
        var dana = await db.AddMemberAsync(orgId, Role.OrgMember, "dana@projects.example");
        var bea = await db.AddMemberAsync(orgId, Role.OrgBillingAdmin, "bea@projects.example");

        var search = await ServiceAs<ProjectService>(db, umar).CreateAsync(orgId, "Search");
        Assert.True(search.IsSuccess, search.Error?.Message);
        await db.GrantAsync(orgId, dana, Role.ProjectMember, search.Value);
        var analytics = await db.AddProjectAsync(orgId, "Analytics");
        var key = await ServiceAs<ApiKeyService>(db, umar).CreateAsync(orgId, search.Value, "search-frontend", [Role.ProjectEditor]);
        Assert.True(key.IsSuccess, key.Error?.Message);
        return new Acme(db, orgId, search.Value, analytics, owner, umar, dana, bea, key.Value.Id);
    }

    /// <summary>A feature service acting as <paramref name="userId"/>, built the way the app builds it.</summary>
    private static T ServiceAs<T>(TestDb db, string userId) where T : class =>
        ActivatorUtilities.CreateInstance<T>(db.As(userId).ServiceProvider);

    /// <summary>Registers the services as <paramref name="userId"/>, renders the providers, and returns the user's organization context.</summary>
    private async Task<OrgContext> SignInAsAsync(Acme acme, string userId)
    {
        var org = await SignInAsync(acme.Db, acme.OrgId, userId,
            [typeof(ProjectService), typeof(ProjectMemberService), typeof(ApiKeyService), typeof(OrgConsole.Features.ServiceAccounts.ServiceAccountService)]);
        Dialogs = DialogProvider;
        return org;
    }

    private async Task<IRenderedComponent<ProjectList>> RenderListAsAsync(Acme acme, string userId)
    {
        var org = await SignInAsAsync(acme, userId);
        var page = Context.Render<ProjectList>(p => p.Add(x => x.OrgId, acme.OrgId).AddCascadingValue(org));
        page.WaitForElement("[data-testid=project-quota]");
        return page;
    }

    private async Task<IRenderedComponent<ProjectPage>> RenderProjectAsAsync(Acme acme, string userId, Guid projectId)
    {
        var org = await SignInAsAsync(acme, userId);
        var page = Context.Render<ProjectPage>(p => p.Add(x => x.OrgId, acme.OrgId).Add(x => x.ProjectId, projectId).AddCascadingValue(org));
        page.WaitForElement("[data-testid=project-rename-save]");
        return page;
    }

    private static void OpenTab(IRenderedComponent<ProjectPage> page, string name, string waitFor)
    {
        page.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == name).Click();
        page.WaitForElement(waitFor);
    }

    private static bool IsDisabled(IRenderedComponent<ProjectPage> page, string testId) => page.Find($"[data-testid={testId}]").HasAttribute("disabled");

    private static List<string> Column(IRenderedComponent<ProjectPage> page, string testId) =>
        page.FindAll($"[data-testid={testId}]").Select(e => e.TextContent.Trim()).ToList();

    [Fact(Timeout = 30_000)]
    public async Task ProjectUser_SeesMembersAndKeys_ButNoCreateDeleteAddOrRemoveAction()
    {
        var acme = await SeedAsync();
        await using var _ = acme.Db;
        var page = await RenderProjectAsAsync(acme, acme.DanaId, acme.SearchId);

        Assert.Equal("You are Project user in this project.", page.Find("[data-testid=project-role]").TextContent.Trim());
        Assert.True(IsDisabled(page, "project-rename-save"));
        Assert.True(IsDisabled(page, "delete-project"));
        Assert.Equal($"{NeedsProjectOwner} to rename the project.", page.Find("[data-testid=project-rename-hint]").TextContent.Trim());

        OpenTab(page, "Members", "[data-testid=members-table]");
        Assert.Equal(["dana@projects.example", "owner@projects.example", "umar@projects.example"], Column(page, "member-email"));
        Assert.Equal(["Project user", "Project owner (organization Owner)", "Project owner"], Column(page, "member-role"));
        Assert.True(IsDisabled(page, "add-project-member"));
        Assert.Empty(page.FindAll("[data-testid=remove-member]"));
        Assert.Empty(page.FindAll("[data-testid=member-role-select]"));
        Assert.NotNull(page.Find("[data-testid=members-hint]"));

        OpenTab(page, "API keys", "[data-testid=keys-table]");
        Assert.Equal(["search-frontend"], Column(page, "key-name"));
        Assert.Contains(acme.KeyId.ToString(), page.Find("[data-testid=keys-table]").TextContent);
        Assert.True(IsDisabled(page, "create-api-key"));
        Assert.Empty(page.FindAll("[data-testid=edit-key]"));
        Assert.Empty(page.FindAll("[data-testid=delete-key]"));

        // Every disabled action sits in a tooltip naming the role it needs (the tab headers' tooltips have no text).
        var tooltips = page.FindComponents<MudTooltip>().Where(t => !t.Instance.Disabled && !string.IsNullOrEmpty(t.Instance.Text))
            .Select(t => t.Instance.Text).Distinct().ToList();
        Assert.Equal([NeedsProjectOwner], tooltips);
    }

    [Fact(Timeout = 30_000)]
    public async Task AMemberWithTwoProjectRoles_IsOneRow_WithBothRolesAsChips()
    {
        var acme = await SeedAsync();
        await using var _ = acme.Db;
        await acme.Db.GrantAsync(acme.OrgId, acme.UmarId, Role.ProjectMember, acme.SearchId); // Umar is Project owner already

        var page = await RenderProjectAsAsync(acme, acme.DanaId, acme.SearchId);
        OpenTab(page, "Members", "[data-testid=members-table]");

        Assert.Equal(["dana@projects.example", "owner@projects.example", "umar@projects.example"], Column(page, "member-email"));
        var umarRow = page.FindAll("[data-testid=members-table] tbody tr").Single(r => r.TextContent.Contains("umar@projects.example"));
        Assert.Equal(["Project owner", "Project user"], umarRow.QuerySelectorAll("[data-testid=member-role-chip]").Select(c => c.TextContent.Trim()));
    }

    [Fact(Timeout = 30_000)]
    public async Task ProjectOwner_SeesOneRowPerMember_WithTheirRolesAsChipsBesideChangeRole()
    {
        var acme = await SeedAsync();
        await using var _ = acme.Db;
        await acme.Db.GrantAsync(acme.OrgId, acme.DanaId, Role.ProjectOwner, acme.SearchId); // Dana: Project user and Project owner

        var page = await RenderProjectAsAsync(acme, acme.UmarId, acme.SearchId);
        OpenTab(page, "Members", "[data-testid=members-table]");

        Assert.Equal(["dana@projects.example", "owner@projects.example", "umar@projects.example"], Column(page, "member-email"));
        var danaRow = page.FindAll("[data-testid=members-table] tbody tr").Single(r => r.TextContent.Contains("dana@projects.example"));
        Assert.Equal(["Project owner", "Project user"], danaRow.QuerySelectorAll("[data-testid=member-role-chip]").Select(c => c.TextContent.Trim()));
        Assert.Equal(2, page.FindAll("[data-testid=member-role-select]").Count); // Dana and Umar, once each
    }

    [Fact(Timeout = 30_000)]
    public async Task ProjectOwner_CanRenameDeleteManageMembersAndKeys()
    {
        var acme = await SeedAsync();
        await using var _ = acme.Db;
        var page = await RenderProjectAsAsync(acme, acme.UmarId, acme.SearchId);

        Assert.Equal("You are Project owner in this project.", page.Find("[data-testid=project-role]").TextContent.Trim());
        Assert.False(IsDisabled(page, "project-rename-save"));
        Assert.False(IsDisabled(page, "delete-project"));
        Assert.Empty(page.FindAll("[data-testid=project-rename-hint]"));

        OpenTab(page, "Members", "[data-testid=members-table]");
        Assert.False(IsDisabled(page, "add-project-member"));
        // Dana and Umar can be removed and have a role picker; the org owner is an implicit owner and cannot be removed.
        Assert.Equal(2, page.FindAll("[data-testid=remove-member]").Count);
        Assert.Equal(2, page.FindComponents<MudSelect<Role>>().Count);
        Assert.Single(page.FindAll("[data-testid=implicit-owner]"));
        Assert.Empty(page.FindAll("[data-testid=members-hint]"));

        OpenTab(page, "API keys", "[data-testid=keys-table]");
        Assert.False(IsDisabled(page, "create-api-key"));
        Assert.Single(page.FindAll("[data-testid=edit-key]"));
        Assert.Single(page.FindAll("[data-testid=delete-key]"));
    }

    [Fact(Timeout = 30_000)]
    public async Task ProjectOwner_ChangesARoleInline_AndTheLastExplicitOwnerCannotBeDemoted()
    {
        var acme = await SeedAsync();
        await using var _ = acme.Db;
        var page = await RenderProjectAsAsync(acme, acme.UmarId, acme.SearchId);
        OpenTab(page, "Members", "[data-testid=members-table]");

        await ChangeRoleAsync(page, from: Role.ProjectMember, to: Role.ProjectOwner);
        page.WaitForAssertion(() => Assert.Equal(Role.ProjectOwner, ProjectRoleAsync(acme, acme.DanaId).Result));
        page.WaitForAssertion(() => Assert.Equal([Role.ProjectOwner, Role.ProjectOwner], RolesInSelects(page)));

        // Back to Project user; then Umar is the only explicit Project owner and cannot be demoted: refused, and his select shows the stored role.
        await ChangeRoleAsync(page, from: Role.ProjectOwner, to: Role.ProjectMember);
        page.WaitForAssertion(() => Assert.Equal([Role.ProjectMember, Role.ProjectOwner], RolesInSelects(page)));
        await ChangeRoleAsync(page, from: Role.ProjectOwner, to: Role.ProjectMember);
        page.WaitForAssertion(() => Assert.Equal([Role.ProjectMember, Role.ProjectOwner], RolesInSelects(page)));
        Assert.Equal(Role.ProjectOwner, await ProjectRoleAsync(acme, acme.UmarId));
        Assert.Equal(Role.ProjectMember, await ProjectRoleAsync(acme, acme.DanaId));
    }

    /// <summary>The role selects in row order (Dana, then Umar: rows are sorted by email).</summary>
    private static List<Role> RolesInSelects(IRenderedComponent<ProjectPage> page) =>
        page.FindComponents<MudSelect<Role>>().Select(s => s.Instance.GetState(x => x.Value)).ToList();

    private static Task ChangeRoleAsync(IRenderedComponent<ProjectPage> page, Role from, Role to)
    {
        var select = page.FindComponents<MudSelect<Role>>().First(s => s.Instance.GetState(x => x.Value) == from);
        return page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(to));
    }

    private static string Label(string roleCellText) => roleCellText.Contains("organization Owner") ? "Project owner (organization Owner)"
        : roleCellText.Contains("Project user") ? "Project user" : "Project owner";

    private static async Task<Role?> ProjectRoleAsync(Acme acme, string userId)
    {
        await using var ctx = await acme.Db.DbFactory.CreateDbContextAsync();
        return await ctx.RoleAssignments.Where(r => r.ProjectId == acme.SearchId && r.PrincipalId == userId).Select(r => (Role?)r.Role).SingleOrDefaultAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task BillingAdminWithoutProjectRole_SeesNoProject_AndAnEmptyStateThatExplainsWhy()
    {
        var acme = await SeedAsync();
        await using var _ = acme.Db;
        var page = await RenderListAsAsync(acme, acme.BeaId);

        page.WaitForElement("[data-testid=projects-empty]");
        Assert.Empty(page.FindAll("[data-testid=project-link]"));
        Assert.Contains("You are Billing admin in Acme Projects", page.Find("[data-testid=projects-empty]").TextContent);
        Assert.True(page.Find("[data-testid=create-project]").HasAttribute("disabled"));
        Assert.Equal("Needs the Owner or User role", page.FindComponent<MudTooltip>().Instance.Text);
    }

    [Fact(Timeout = 30_000)]
    public async Task OrgOwner_SeesEveryProject_AsImplicitOwner_WithTheQuota()
    {
        var acme = await SeedAsync();
        await using var _ = acme.Db;
        var page = await RenderListAsAsync(acme, acme.OwnerId);

        page.WaitForElement("[data-testid=projects-table]");
        Assert.Equal(["Analytics", "Search"], page.FindAll("[data-testid=project-link]").Select(a => a.TextContent.Trim()).ToList());
        Assert.Equal($"/orgs/{acme.OrgId}/projects/{acme.SearchId}", page.FindAll("[data-testid=project-link]")[1].GetAttribute("href"));
        Assert.Equal(2, page.FindAll("td").Count(td => td.TextContent.Trim() == "Project owner (organization Owner)"));
        Assert.Equal("2 of 20 projects used on the Standard plan", Normalize(page.Find("[data-testid=project-quota]").TextContent));
        Assert.False(page.Find("[data-testid=create-project]").HasAttribute("disabled"));
    }

    [Fact(Timeout = 30_000)]
    public async Task OrgUser_SeesOnlyTheProjectsTheyBelongTo()
    {
        var acme = await SeedAsync();
        await using var _ = acme.Db;
        var page = await RenderListAsAsync(acme, acme.DanaId);

        page.WaitForElement("[data-testid=projects-table]");
        Assert.Equal(["Search"], page.FindAll("[data-testid=project-link]").Select(a => a.TextContent.Trim()).ToList());
        Assert.Contains(page.FindAll("td"), td => td.TextContent.Trim() == "Project user");
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateDialog_ShowsTheDuplicateNameInline_AndTheStarterQuotaDisablesCreateWithTheReason()
    {
        var acme = await SeedAsync();
        await using var _ = acme.Db;
        var page = await RenderListAsAsync(acme, acme.UmarId);

        page.Find("[data-testid=create-project]").Click();
        var nameInput = Dialogs.WaitForElement("[data-testid=project-name] input, input[data-testid=project-name]");
        nameInput.Input(" search ");
        Dialogs.Find("form").Submit();
        Dialogs.WaitForAssertion(() => Assert.Contains("A project named \"search\" already exists in this organization.", Dialogs.Find(".mud-dialog").TextContent));

        // Starter allows one project: with two, Create is disabled and says why.
        await using (var ctx = await acme.Db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Organizations.Where(o => o.Id == acme.OrgId).ExecuteUpdateAsync(s => s.SetProperty(o => o.Plan, Plan.Starter));
        }
        var access = (await acme.Db.Service<Authorizer>(acme.UmarId).GetAccessAsync(acme.OrgId))!;
        var starter = Context.Render<ProjectList>(p => p.Add(x => x.OrgId, acme.OrgId).AddCascadingValue(new OrgContext(access, () => Task.CompletedTask)));
        starter.WaitForElement("[data-testid=quota-full]");
        Assert.True(starter.Find("[data-testid=create-project]").HasAttribute("disabled"));
        Assert.Contains("all 1 project of the Starter plan", starter.Find("[data-testid=quota-full]").TextContent);
    }

    [Fact(Timeout = 30_000)]
    public async Task OwnerDeletesProject_OnlyAfterTypingItsExactName_ItsKeysAndRolesGoWithIt()
    {
        var acme = await SeedAsync();
        await using var _ = acme.Db;
        var page = await RenderProjectAsAsync(acme, acme.OwnerId, acme.SearchId);

        page.Find("[data-testid=delete-project]").Click();
        var input = Dialogs.WaitForElement("[data-testid=delete-confirm-input] input, input[data-testid=delete-confirm-input]");
        Assert.True(Dialogs.Find("[data-testid=delete-confirm]").HasAttribute("disabled"));
        input.Input("search");
        Assert.True(Dialogs.Find("[data-testid=delete-confirm]").HasAttribute("disabled"));
        Dialogs.Find("[data-testid=delete-confirm-input] input, input[data-testid=delete-confirm-input]").Input("Search");
        Dialogs.WaitForAssertion(() => Assert.False(Dialogs.Find("[data-testid=delete-confirm]").HasAttribute("disabled")));
        Dialogs.Find("[data-testid=delete-confirm]").Click();

        var navigation = Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        page.WaitForAssertion(() => Assert.EndsWith($"/orgs/{acme.OrgId}/projects", navigation.Uri));
        await using var ctx = await acme.Db.DbFactory.CreateDbContextAsync();
        Assert.False(await ctx.Projects.AnyAsync(p => p.Id == acme.SearchId));
        Assert.False(await ctx.ApiKeys.AnyAsync(k => k.ProjectId == acme.SearchId));
        Assert.False(await ctx.RoleAssignments.AnyAsync(r => r.ProjectId == acme.SearchId));
    }

    [Fact(Timeout = 30_000)]
    public async Task OnStarter_TheKeyDialogOffersOnlyProjectEditor_SaysWhy_AndShowsTheNewKeyOnce()
    {
        var acme = await SeedAsync(Plan.Starter);
        await using var _ = acme.Db;
        var page = await RenderProjectAsAsync(acme, acme.UmarId, acme.SearchId);
        OpenTab(page, "API keys", "[data-testid=keys-table]");
        // Roles read as labels, never as bare wire names (issue 16).
        Assert.Equal(["Project editor"], page.FindAll("[data-testid=key-role-chip]").Select(c => c.TextContent.Trim()));

        page.Find("[data-testid=create-api-key]").Click();
        var hint = Dialogs.WaitForElement("[data-testid=plan-roles-hint]");
        Assert.Contains("The Starter plan allows only Project editor keys.", hint.TextContent);
        Assert.Contains("Data plane viewer", Dialogs.Find("[data-testid=key-roles]").TextContent);
        Assert.DoesNotContain("DataPlaneViewer", Dialogs.Find("[data-testid=key-roles]").TextContent);
        Assert.False(RoleCheckbox("ProjectEditor").HasAttribute("disabled"));
        Assert.True(RoleCheckbox("ProjectEditor").HasAttribute("checked"));
        foreach (var role in new[] { "ProjectViewer", "ControlPlaneEditor", "ControlPlaneViewer", "DataPlaneEditor", "DataPlaneViewer" })
        {
            Assert.True(RoleCheckbox(role).HasAttribute("disabled"), role);
        }

        // An empty name is refused inline; a good one creates the key and shows it once.
        Dialogs.Find("#create-key-form").Submit();
        Dialogs.WaitForAssertion(() => Assert.Contains("Enter a name for the key.", Dialogs.Find(".mud-dialog").TextContent));
        Dialogs.Find("[data-testid=key-name-input] input, input[data-testid=key-name-input]").Input("batch-import");
        Dialogs.Find("#create-key-form").Submit();
        var value = Dialogs.WaitForElement("[data-testid=api-key-value] textarea, textarea[data-testid=api-key-value]");
        Assert.StartsWith("pckey_", value.GetAttribute("value") ?? value.TextContent);
        Dialogs.Find("[data-testid=api-key-done]").Click();
        page.WaitForAssertion(() => Assert.Equal(["batch-import", "search-frontend"], Column(page, "key-name")));
        Assert.Empty(Dialogs.FindAll("[data-testid=api-key-value]"));
    }

    private IElement RoleCheckbox(string role) =>
        Dialogs.Find($"[data-testid=key-role-{role}] input, input[data-testid=key-role-{role}]");

    [Fact(Timeout = 30_000)]
    public async Task ProjectOwner_AddsAnOrgMemberAsProjectUser_ThenRemovesThemAfterConfirming()
    {
        var acme = await SeedAsync();
        await using var _ = acme.Db;
        var eli = await acme.Db.AddMemberAsync(acme.OrgId, Role.OrgMember, "eli@projects.example");
        var page = await RenderProjectAsAsync(acme, acme.UmarId, acme.SearchId);
        OpenTab(page, "Members", "[data-testid=members-table]");

        page.Find("[data-testid=add-project-member]").Click();
        // Candidates: org members not in the project yet, never the org owners (Bea the Billing admin and Eli).
        var select = Dialogs.WaitForComponent<MudSelect<string>>();
        Assert.Equal(["bea@projects.example", "eli@projects.example"],
            Dialogs.FindComponents<MudSelectItem<string>>().Select(i => i.Instance.Value).Select(EmailOf(acme, eli)).ToList());
        await Dialogs.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(eli));
        Dialogs.Find("[data-testid=add-member-submit]").Click();
        page.WaitForAssertion(() => Assert.Contains("eli@projects.example", Column(page, "member-email")));
        Assert.Equal(Role.ProjectMember, await ProjectRoleAsync(acme, eli));

        var eliRow = page.FindAll("tr").Single(r => r.TextContent.Contains("eli@projects.example"));
        eliRow.QuerySelector("[data-testid=remove-member]")!.Click();
        Dialogs.WaitForAssertion(() => Assert.Contains("Remove eli@projects.example", Dialogs.Find(".mud-dialog").TextContent));
        Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Remove").Click();
        page.WaitForAssertion(() => Assert.DoesNotContain("eli@projects.example", Column(page, "member-email")));
        Assert.Null(await ProjectRoleAsync(acme, eli));
    }

    private static Func<string?, string> EmailOf(Acme acme, string eliId) => id =>
        id == acme.BeaId ? "bea@projects.example" : id == eliId ? "eli@projects.example" : $"unexpected {id}";

    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Fact(Timeout = 30_000)]
    public async Task AServiceAccountWithTwoProjectRoles_IsOneRow_WithBothRolesAsChips()
    {
        var acme = await SeedAsync(Plan.Enterprise);
        await using var _ = acme.Db;
        var accounts = ServiceAs<OrgConsole.Features.ServiceAccounts.ServiceAccountService>(acme.Db, acme.OwnerId);
        var account = (await accounts.CreateAsync(acme.OrgId, "deployer", Role.OrgMember)).Value.Account.Id;
        Assert.True((await accounts.AddProjectRoleAsync(acme.OrgId, account, acme.SearchId, Role.ProjectMember)).IsSuccess);
        Assert.True((await accounts.AddProjectRoleAsync(acme.OrgId, account, acme.SearchId, Role.ProjectOwner)).IsSuccess);

        var page = await RenderProjectAsAsync(acme, acme.OwnerId, acme.SearchId);
        OpenTab(page, "Members", "[data-testid=project-sa-table]");

        var rows = page.FindAll("[data-testid=project-sa-table] tbody tr");
        Assert.Single(rows);
        Assert.Equal(["Project owner", "Project user"], rows[0].QuerySelectorAll("[data-testid=project-sa-role]").Select(c => c.TextContent.Trim()));
    }

    [Fact(Timeout = 30_000)]
    public async Task OnEnterprise_TheOwnerConnectsAServiceAccountFromTheMembersTab_AndDisconnectsIt()
    {
        var acme = await SeedAsync(Plan.Enterprise);
        await using var _ = acme.Db;
        var account = await ServiceAs<OrgConsole.Features.ServiceAccounts.ServiceAccountService>(acme.Db, acme.OwnerId).CreateAsync(acme.OrgId, "deployer", Role.OrgMember);
        Assert.True(account.IsSuccess, account.Error?.Message);
        var page = await RenderProjectAsAsync(acme, acme.OwnerId, acme.SearchId);
        OpenTab(page, "Members", "[data-testid=project-sa-empty]");

        await page.InvokeAsync(() => page.FindComponent<MudSelect<Guid?>>().Instance.ValueChanged.InvokeAsync(account.Value.Account.Id));
        page.Find("[data-testid=project-sa-connect]").Click();

        page.WaitForAssertion(() => Assert.Contains("deployer", page.Find("[data-testid=project-sa-table]").TextContent), TimeSpan.FromSeconds(10));
        var connected = await acme.Db.Service<OrgConsole.Features.ServiceAccounts.ServiceAccountService>(acme.OwnerId).ListForProjectAsync(acme.OrgId, acme.SearchId);
        Assert.Equal(Role.ProjectMember, Assert.Single(connected.Value).Role);
        page.Find("[data-testid=project-sa-disconnect]").Click();
        page.WaitForElement("[data-testid=project-sa-empty]");
        Assert.Empty((await acme.Db.Service<OrgConsole.Features.ServiceAccounts.ServiceAccountService>(acme.OwnerId).ListForProjectAsync(acme.OrgId, acme.SearchId)).Value);
    }
}
