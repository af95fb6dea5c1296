using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using OrgConsole.Access;
using OrgConsole.Components.Shared;

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

    /// <summary>Where open popovers render (set by <see cref="RenderProviders"/>).</summary>
    protected IRenderedComponent<MudPopoverProvider> PopoverProvider { get; private set; } = default!;

    /// <summary>Renders the MudBlazor providers; call after registering services and before rendering the component.</summary>
    protected IRenderedComponent<MudPopoverProvider> RenderProviders()
    {
        DialogProvider = Context.Render<MudDialogProvider>();
        Context.Render<MudSnackbarProvider>();
        return PopoverProvider = Context.Render<MudPopoverProvider>();
    }

    /// <summary>
    /// Signs <paramref name="userId"/> in to a page of <paramref name="orgId"/>: the page's <paramref name="services"/>
    /// act as that user on the test database, the providers are rendered, and the
    /// returned context is what the layout would cascade (its refresh runs <paramref name="refresh"/>).
    /// </summary>
    protected async Task<OrgContext> SignInAsync(TestDb db, Guid orgId, string userId, IEnumerable<Type> services, Func<Task>? refresh = null)
    {
        var scope = db.As(userId);
        foreach (var service in services) Context.Services.AddScoped(service, _ => scope.ServiceProvider.GetRequiredService(service));
        RenderProviders();
        var access = await scope.ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId)
            ?? throw new InvalidOperationException($"{userId} is not a member of {orgId}.");
        return new OrgContext(access, refresh ?? (() => Task.CompletedTask));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Context.DisposeAsync();
}
