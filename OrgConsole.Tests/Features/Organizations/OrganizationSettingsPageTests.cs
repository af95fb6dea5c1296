using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrgConsole.Access;
using OrgConsole.Components.Shared;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Organizations.Pages;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Organizations;

public sealed class OrganizationSettingsPageTests : MudComponentTest
{
    private async Task<(IRenderedComponent<OrganizationSettings> Page, TestDb Db, Guid OrgId)> RenderAsAsync(Role role)
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Settings");
        var userId = role == Role.OrgOwner ? owner : await db.AddMemberAsync(orgId, role);
        Context.Services.AddSingleton(db.Services.GetRequiredService<IOptions<OrganizationOptions>>());
        var org = await SignInAsync(db, orgId, userId, [typeof(OrganizationService)]);
        var page = Context.Render<OrganizationSettings>(p => p
            .Add(x => x.OrgId, orgId)
            .AddCascadingValue(org));
        page.WaitForElement("[data-testid=rename-save]");
        return (page, db, orgId);
    }

    [Fact(Timeout = 30_000)]
    public async Task Owner_CanRenameAndDelete()
    {
        var (page, db, orgId) = await RenderAsAsync(Role.OrgOwner);
        await using var _ = db;

        Assert.False(page.Find("[data-testid=rename-save]").HasAttribute("disabled"));
        Assert.False(page.Find("[data-testid=delete-org]").HasAttribute("disabled"));
        Assert.Empty(page.FindAll("[data-testid=rename-hint]"));

        RenameInput(page).Change("Acme Renamed");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Equal("Acme Renamed", NameOf(db, orgId)));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Role.OrgMember)]
    [InlineData(Role.OrgBillingAdmin)]
    public async Task NonOwners_SeeRenameAndDeleteDisabled_WithTheRoleNamed(Role role)
    {
        var (page, db, _) = await RenderAsAsync(role);
        await using var _ = db;

        Assert.True(page.Find("[data-testid=rename-save]").HasAttribute("disabled"));
        Assert.True(page.Find("[data-testid=delete-org]").HasAttribute("disabled"));
        Assert.True(RenameInput(page).HasAttribute("disabled"));
        Assert.Equal("Needs the Owner role to rename the organization.", page.Find("[data-testid=rename-hint]").TextContent.Trim());
        // The disabled buttons sit in tooltips that name the role.
        var tooltips = page.FindComponents<MudBlazor.MudTooltip>().Select(t => t.Instance.Text).Where(t => t?.StartsWith("Copy ") != true).ToList();
        Assert.Equal(["Needs the Owner role", "Needs the Owner role"], tooltips);
        Assert.All(page.FindComponents<MudBlazor.MudTooltip>(), t => Assert.False(t.Instance.Disabled));
    }

    [Fact(Timeout = 30_000)]
    public async Task SupportView_SaysReadOnlySupportView_NotThatTheOwnerRoleIsNeeded()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync("Acme Supported");
        var staff = await db.CreateSupportStaffAsync();
        Assert.True((await db.Service<OrgConsole.Features.Support.SupportService>(staff).OpenAsync(orgId, "TICKET-42")).IsSuccess);
        Context.Services.AddSingleton(db.Services.GetRequiredService<IOptions<OrganizationOptions>>());
        var org = await SignInAsync(db, orgId, staff, [typeof(OrganizationService)]);
        Assert.NotNull(org.SupportVisit);

        var page = Context.Render<OrganizationSettings>(p => p
            .Add(x => x.OrgId, orgId)
            .AddCascadingValue(org));
        page.WaitForElement("[data-testid=rename-save]");

        Assert.True(page.Find("[data-testid=delete-org]").HasAttribute("disabled"));
        Assert.Equal("Read-only support view.", page.Find("[data-testid=rename-hint]").TextContent.Trim());
        var tooltips = page.FindComponents<MudBlazor.MudTooltip>().Select(t => t.Instance.Text).Where(t => t?.StartsWith("Copy ") != true).ToList();
        Assert.Equal(["Read-only support view", "Read-only support view"], tooltips);
        Assert.DoesNotContain("Needs the", page.Markup);
    }

    [Fact(Timeout = 30_000)]
    public async Task OrganizationId_HasACopyButton_ThatCopiesExactlyTheId()
    {
        var clipboard = Context.JSInterop.SetupModule("./js/clipboard.js");
        var (page, db, orgId) = await RenderAsAsync(Role.OrgMember);
        await using var _ = db;

        page.Find("[data-testid=copy-org-id]").Click();

        page.WaitForAssertion(() => Assert.Equal("Copied the organization id", page.Find("[data-testid=copy-org-id-status]").TextContent.Trim()));
        var copy = Assert.Single(clipboard.Invocations, i => i.Identifier == "copyText");
        Assert.Equal(orgId.ToString(), copy.Arguments[0]);
        Assert.Equal("Copy organization id", page.Find("[data-testid=copy-org-id]").GetAttribute("aria-label"));
    }

    private static IElement RenameInput(IRenderedComponent<OrganizationSettings> page) =>
        page.Find("input[data-testid=rename-input], [data-testid=rename-input] input");

    private static string NameOf(TestDb db, Guid orgId)
    {
        using var ctx = db.DbFactory.CreateDbContext();
        return ctx.Organizations.Single(o => o.Id == orgId).Name;
    }
}
