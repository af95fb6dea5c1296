using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OrgConsole.Components.Shared;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Components;

/// <summary>A closed menu costs no popover: nothing of it is in the popover provider until a person opens it.</summary>
public sealed class LazyMenuTests : MudComponentTest
{
    [Fact(Timeout = 30_000)]
    public async Task AnIconMenu_LooksLikeMudMenusActivator_UntilOpened()
    {
        var popovers = RenderProviders();
        var clicked = 0;

        var menu = Context.Render<LazyMenu>(p => p
            .Add(x => x.Icon, Icons.Material.Outlined.AddModerator).Add(x => x.Size, Size.Small).Add(x => x.AriaLabel, "Add a role")
            .AddUnmatched("data-testid", "add-role")
            .Add(x => x.ChildContent, (RenderFragment)(b =>
            {
                b.OpenComponent<MudMenuItem>(0);
                b.AddComponentParameter(1, nameof(MudMenuItem.OnClick), EventCallback.Factory.Create<Microsoft.AspNetCore.Components.Web.MouseEventArgs>(this, () => clicked++));
                b.AddComponentParameter(2, nameof(MudMenuItem.ChildContent), (RenderFragment)(t => t.AddContent(0, "Add Billing admin")));
                b.CloseComponent();
            })));

        Assert.Empty(popovers.FindAll(".mud-popover"));
        var button = menu.Find("[data-testid=add-role] button");
        Assert.Equal("Add a role", button.GetAttribute("aria-label"));
        Assert.Contains("mud-icon-button-size-small", button.ClassList);
        Assert.Contains("mud-menu-icon-button-activator", button.ClassList);

        await menu.InvokeAsync(() => button.Click());
        popovers.WaitForAssertion(() => Assert.Contains("Add Billing admin", popovers.Find(".mud-popover-open").TextContent));
        await popovers.InvokeAsync(() => popovers.Find(".mud-popover-open .mud-menu-item").Click());
        popovers.WaitForAssertion(() => Assert.Equal(1, clicked));
    }
}
