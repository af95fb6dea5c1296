using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace OrgConsole.Tests.TestSupport;

/// <summary>
/// A bUnit context set up for MudBlazor under xunit 2: async disposal, loose JS interop, and the providers
/// (popover, dialog, snackbar) rendered first as the app's layout does.
/// </summary>
public abstract class MudComponentTest : IAsyncLifetime
{
    protected BunitContext Context { get; } = new();

    protected MudComponentTest()
    {
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.Services.AddMudServices();
    }

    /// <summary>Where open dialogs render (set by <see cref="RenderProviders"/>).</summary>
    protected IRenderedComponent<MudDialogProvider> DialogProvider { get; private set; } = default!;

    /// <summary>Renders the MudBlazor providers; call after registering services and before rendering the component.</summary>
    protected IRenderedComponent<MudPopoverProvider> RenderProviders()
    {
        DialogProvider = Context.Render<MudDialogProvider>();
        Context.Render<MudSnackbarProvider>();
        return Context.Render<MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Context.DisposeAsync();
}
