using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OrgConsole.Access;
using OrgConsole.Components.Layout;
using OrgConsole.Components.Shared;
using OrgConsole.Features.Organizations;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Components;

/// <summary>
/// The app bar is static markup (issue 17): its menus are native popovers in the page, with no MudMenu and no popover
/// in any circuit; when a page's refresh changes what the layout shows of the organization (its name, the viewer's
/// roles), the page body asks for an enhanced refresh of the static layout, and only then.
/// </summary>
public sealed class AppBarTests : MudComponentTest
{
    [Fact(Timeout = 30_000)]
    public async Task TheUserMenu_IsANativePopoverMenu_WithItsItemsAndTheSignOutForm_AndNoMudMenu()
    {
        Context.Services.AddSingleton<Microsoft.AspNetCore.Components.Forms.AntiforgeryStateProvider, FixedAntiforgery>();
        Context.AddAuthorization().SetAuthorized("ada@test.example")
            .SetClaims(new Claim(OrgConsole.Features.Accounts.AccountClaimsPrincipalFactory.DisplayNameClaim, "Ada Lovelace"));

        var menu = Context.Render<UserMenu>(p => p.Add(x => x.UserName, "ada@test.example"));

        Assert.Empty(menu.FindComponents<MudMenu>());
        Assert.Empty(menu.FindComponents<MudPopover>());
        var button = menu.Find("[data-testid=user-menu] button");
        Assert.Equal("menu", button.GetAttribute("aria-haspopup"));
        Assert.Equal("false", button.GetAttribute("aria-expanded"));
        Assert.Contains("Ada Lovelace", button.TextContent);
        Assert.Equal("Ada Lovelace (ada@test.example)", menu.Find("[data-testid=user-menu]").GetAttribute("title"));
        var popover = menu.Find($"#{button.GetAttribute("popovertarget")}");
        Assert.True(popover.HasAttribute("popover"));
        Assert.Equal(button.Id, popover.QuerySelector("[role=menu]")!.GetAttribute("aria-labelledby"));
        var items = popover.QuerySelectorAll("[role=menuitem]");
        Assert.Equal(["Account and security", "Sign out"], items.Select(i => i.TextContent.Trim()));
        Assert.All(items, i => Assert.Equal("-1", i.GetAttribute("tabindex"))); // focus moves by arrow keys (menus.js)
        var signOut = menu.Find("form[action='Account/Logout'][method=post]");
        Assert.Equal("token", signOut.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value"));
        Assert.NotNull(signOut.QuerySelector("button[type=submit][data-testid=sign-out]"));
        await Task.CompletedTask;
    }

    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task APageRefresh_AsksForAnEnhancedRefreshOfTheStaticLayout_OnlyWhenTheOrganizationShownChanged(bool renamed)
    {
        await using var db = await TestDb.CreateAsync();
        var (acme, owner) = await db.CreateOrganizationAsync("Acme Before");
        var scope = db.As(owner);
        foreach (var service in new[] { typeof(Authorizer), typeof(OrganizationService), typeof(OrgConsole.Features.Invitations.InvitationService) })
        {
            Context.Services.AddScoped(service, _ => scope.ServiceProvider.GetRequiredService(service));
        }
        Context.Services.AddScoped<ShellState>();
        Context.AddAuthorization().SetAuthorized("owner");
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var navigation = Context.Services.GetRequiredService<BunitNavigationManager>();
        var uri = navigation.ToAbsoluteUri(OrganizationRoutes.Settings(acme)).ToString();
        navigation.NavigateTo(uri);
        var layout = Context.Render<OrgShell>(p => p.Add(x => x.Uri, uri).AddChildContent<OrgProbe>());
        var probe = layout.FindComponent<OrgProbe>();
        layout.WaitForAssertion(() => Assert.Equal("Acme Before", probe.Instance.Org?.Name));
        Assert.False(navigation.History.First().Options.ForceLoad);

        if (renamed) Assert.True((await scope.ServiceProvider.GetRequiredService<OrganizationService>().RenameAsync(acme, "Acme After")).IsSuccess);
        await layout.InvokeAsync(() => probe.Instance.Org!.RefreshAsync());

        layout.WaitForAssertion(() => Assert.Equal(renamed ? "Acme After" : "Acme Before", probe.Instance.Org?.Name));
        // NavigationManager.Refresh(): the same address again, in place of the current entry (in the browser, an enhanced
        // refresh); bUnit records it as a forced load that replaced the entry.
        var top = navigation.History.First();
        Assert.Equal(uri, top.Uri);
        Assert.Equal(renamed, top.Options.ForceLoad && top.Options.ReplaceHistoryEntry);
    }

    private sealed class OrgProbe : ComponentBase
    {
        [CascadingParameter] public OrgContext? Org { get; set; }
    }

    private sealed class FixedAntiforgery : Microsoft.AspNetCore.Components.Forms.AntiforgeryStateProvider
    {
        public override Microsoft.AspNetCore.Components.Forms.AntiforgeryRequestToken? GetAntiforgeryToken() => new("token", "__RequestVerificationToken");
    }
}
