using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OrgConsole.Access;
using OrgConsole.Components.Layout;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Organizations.Pages;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Organizations;

public sealed class OrganizationDialogsAndSwitcherTests : MudComponentTest
{
    [Fact(Timeout = 30_000)]
    public async Task DeleteDialog_EnablesDeleteOnlyForTheExactName_ThenSoftDeletes()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Typed Name");
        var scope = db.As(owner);
        Context.Services.AddScoped(_ => scope.ServiceProvider.GetRequiredService<OrganizationService>());
        var providers = Context.Render<MudDialogProvider>();
        Context.Render<MudPopoverProvider>();
        var dialogs = Context.Services.GetRequiredService<IDialogService>();

        var parameters = new DialogParameters<DeleteOrganizationDialog> { { d => d.OrganizationId, orgId }, { d => d.OrganizationName, "Typed Name" } };
        var reference = await providers.InvokeAsync(() => dialogs.ShowAsync<DeleteOrganizationDialog>("Delete organization", parameters));
        var input = providers.WaitForElement("[data-testid=delete-confirm-input] input, input[data-testid=delete-confirm-input]");
        Assert.True(providers.Find("[data-testid=delete-confirm]").HasAttribute("disabled"));

        input.Input("typed name");
        Assert.True(providers.Find("[data-testid=delete-confirm]").HasAttribute("disabled"));
        providers.Find("[data-testid=delete-confirm-input] input, input[data-testid=delete-confirm-input]").Input("Typed Name");
        providers.WaitForAssertion(() => Assert.False(providers.Find("[data-testid=delete-confirm]").HasAttribute("disabled")));
        providers.Find("[data-testid=delete-confirm]").Click();

        var result = await reference.Result.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(result!.Canceled);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.NotNull((await ctx.Organizations.SingleAsync(o => o.Id == orgId)).DeletedAt);
    }

    [Fact]
    public void OrgSwitcher_ListsEveryOrganizationWithTheRole_AndOffersCreateOnlyWhenAllowed()
    {
        var orgs = new List<OrganizationSummary>
        {
            new(Guid.NewGuid(), "Acme Corp", Role.OrgOwner),
            new(Guid.NewGuid(), "Globex", Role.OrgBillingAdmin),
        };

        // A static menu (a native popover in the page's markup): its items are there without a click or a popover provider.
        var switcher = Context.Render<OrgSwitcher>(p => p.Add(x => x.Organizations, orgs).Add(x => x.CanCreate, false));
        var menu = switcher.Find("[data-testid=org-switcher] [popover] [role=menu]");

        Assert.Contains("Globex", menu.TextContent);
        Assert.Contains("Billing admin", menu.TextContent);
        Assert.Contains($"/orgs/{orgs[1].Id}", menu.InnerHtml);
        Assert.DoesNotContain("Create organization", menu.TextContent);
        Assert.Contains("Choose an organization", switcher.Find("[data-testid=org-switcher] button").TextContent);

        switcher.Render(p => p.Add(x => x.CanCreate, true));
        Assert.Contains("Create organization", switcher.Find("[data-testid=org-switcher] [role=menu]").TextContent);
    }
}
