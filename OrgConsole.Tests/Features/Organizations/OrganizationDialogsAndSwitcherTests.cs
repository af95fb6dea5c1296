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

    [Fact(Timeout = 30_000)]
    public async Task OrgSwitcher_ListsEveryOrganizationWithTheRole_AndOffersCreateOnlyWhenAllowed()
    {
        var popovers = Context.Render<MudPopoverProvider>();
        var orgs = new List<OrganizationSummary>
        {
            new(Guid.NewGuid(), "Acme Corp", Role.OrgOwner),
            new(Guid.NewGuid(), "Globex", Role.OrgBillingAdmin),
        };

        var switcher = Context.Render<OrgSwitcher>(p => p.Add(x => x.Organizations, orgs).Add(x => x.CanCreate, false));
        await switcher.InvokeAsync(() => switcher.Find("button").Click());

        popovers.WaitForAssertion(() => Assert.Contains("Globex", popovers.Markup));
        Assert.Contains("Billing admin", popovers.Markup);
        Assert.Contains($"/orgs/{orgs[1].Id}", popovers.Markup);
        Assert.DoesNotContain("Create organization", popovers.Markup);

        switcher.Render(p => p.Add(x => x.CanCreate, true));
        popovers.WaitForAssertion(() => Assert.Contains("Create organization", popovers.Markup));
    }
}
