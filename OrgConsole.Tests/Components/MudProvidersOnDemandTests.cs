using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor;
using MudBlazor.Services;
using OrgConsole.Components.Layout;

namespace OrgConsole.Tests.Components;

/// <summary>
/// Issue 17: MudBlazor's providers (seven components) are rendered in a page body only once something needs them. A
/// dialog shown first renders them and then opens (MudBlazor's dialog provider only sees dialogs added after it
/// subscribed), a snackbar shown first is shown, a popover created first is rendered by the provider.
/// </summary>
public sealed class MudProvidersOnDemandTests : IAsyncLifetime
{
    private readonly BunitContext _context = new();

    public MudProvidersOnDemandTests()
    {
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddMudServices();
        _context.Services.AddScoped<MudProvidersOnDemand>();
        _context.Services.Replace(ServiceDescriptor.Scoped<IDialogService>(sp =>
            new OnDemandDialogService(new DialogService(), sp.GetRequiredService<MudProvidersOnDemand>())));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task NothingIsRendered_UntilADialogIsShown_ThenTheDialogOpens()
    {
        var providers = _context.Render<MudProviders>();
        Assert.Empty(providers.FindComponents<MudDialogProvider>());
        Assert.Empty(providers.FindComponents<MudPopoverProvider>());
        Assert.Empty(providers.FindComponents<MudSnackbarProvider>());

        var dialogs = _context.Services.GetRequiredService<IDialogService>();
        var shown = await providers.InvokeAsync(() => dialogs.ShowAsync<ProbeDialog>("Probe"));

        providers.WaitForAssertion(() => Assert.Contains("probe dialog content", providers.Markup), TimeSpan.FromSeconds(10));
        Assert.Single(providers.FindComponents<MudDialogProvider>());
        Assert.Single(providers.FindComponents<MudPopoverProvider>());
        Assert.Single(providers.FindComponents<MudSnackbarProvider>());

        await providers.InvokeAsync(() => shown.Close());
        providers.WaitForAssertion(() => Assert.DoesNotContain("probe dialog content", providers.Markup), TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 30_000)]
    public async Task ASnackbarShownFirst_RendersTheProviders_AndIsShown()
    {
        var providers = _context.Render<MudProviders>();
        var snackbars = _context.Services.GetRequiredService<ISnackbar>();

        await providers.InvokeAsync(() => snackbars.Add("Organization renamed."));

        providers.WaitForAssertion(() => Assert.Contains("Organization renamed.", providers.Markup), TimeSpan.FromSeconds(10));
        Assert.Single(providers.FindComponents<MudSnackbarProvider>());
    }

    [Fact(Timeout = 30_000)]
    public async Task APopoverCreatedFirst_RendersTheProviders_WhichRenderIt()
    {
        var providers = _context.Render<MudProviders>();
        var menu = _context.Render<MudMenu>(p => p.Add(x => x.Label, "Actions")
            .Add(x => x.ChildContent, (RenderFragment)(b => b.AddMarkupContent(0, "<span>probe menu item</span>"))));

        await menu.InvokeAsync(() => menu.Instance.OpenMenuAsync(EventArgs.Empty));

        providers.WaitForAssertion(() => Assert.Single(providers.FindComponents<MudPopoverProvider>()), TimeSpan.FromSeconds(10));
        providers.WaitForAssertion(() => Assert.Contains("probe menu item", providers.Markup), TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 30_000)]
    public async Task WithoutAnOnDemandHost_ADialogIsHandedOnAtOnce()
    {
        // A host that renders MudBlazor's providers itself (no MudProviders): nothing waits for a render that never comes.
        var provider = _context.Render<MudDialogProvider>();
        var dialogs = _context.Services.GetRequiredService<IDialogService>();

        await provider.InvokeAsync(() => dialogs.ShowAsync<ProbeDialog>("Probe")).WaitAsync(TimeSpan.FromSeconds(10));

        provider.WaitForAssertion(() => Assert.Contains("probe dialog content", provider.Markup), TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 30_000)]
    public async Task TheNextPagesProviders_StayAsked_WhenTheLastPagesAreDisposedAfterThem()
    {
        // Enhanced navigation in one circuit: the next page body's MudProviders may start before the last one's is disposed.
        var last = _context.Render<PageBody>();
        var next = _context.Render<PageBody>();
        last.Render(p => p.Add(x => x.Shown, false)); // the last page body's MudProviders is disposed
        Assert.Empty(last.FindComponents<MudProviders>());

        var dialogs = _context.Services.GetRequiredService<IDialogService>();
        await next.InvokeAsync(() => dialogs.ShowAsync<ProbeDialog>("Probe"));

        next.WaitForAssertion(() => Assert.Contains("probe dialog content", next.Markup), TimeSpan.FromSeconds(10));
    }

    /// <summary>A page body holding a MudProviders, until it is no longer shown.</summary>
    private sealed class PageBody : ComponentBase
    {
        [Parameter] public bool Shown { get; set; } = true;

        protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder)
        {
            if (!Shown) return;
            builder.OpenComponent<MudProviders>(0);
            builder.CloseComponent();
        }
    }

    private sealed class ProbeDialog : ComponentBase
    {
        protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder) =>
            builder.AddMarkupContent(0, "<p>probe dialog content</p>");
    }
}
