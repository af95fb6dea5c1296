using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace OrgConsole.Components.Layout;

/// <summary>
/// Issue 17: MudBlazor's popover, dialog and snackbar providers (seven components, with their render trees and services)
/// are rendered in a page body only once something needs them — a popover created (an opened menu, a select), a
/// snackbar shown, a dialog about to open. Most page views never need them. One per circuit (scoped); the
/// <see cref="MudProviders"/> component in <c>PageHost</c> renders the providers when <see cref="Needed"/>.
/// </summary>
public sealed class MudProvidersOnDemand
{
    private Func<Task>? _render;
    private TaskCompletionSource? _rendered;

    /// <summary>Whether the providers are (to be) rendered: once asked for, for the rest of the circuit.</summary>
    public bool Needed => _rendered is not null;

    /// <summary>
    /// Called by <see cref="MudProviders"/> as it starts; <paramref name="render"/> renders it again. A circuit has one
    /// page body at a time, but enhanced navigation may start the next page's before it disposes the last one's: the
    /// latest attached is the one asked.
    /// </summary>
    internal void Attach(Func<Task> render) => _render = render;

    /// <summary>Called as a <see cref="MudProviders"/> is disposed: forgets it, unless another has attached since.</summary>
    internal void Detach(Func<Task> render)
    {
        if (ReferenceEquals(_render, render)) _render = null;
    }

    /// <summary>
    /// Asks for the providers and completes once they are in the render tree (subscribed to their services). Completes at
    /// once when they already are, or when no <see cref="MudProviders"/> renders them on demand (a host that renders the
    /// providers itself).
    /// </summary>
    public Task EnsureAsync()
    {
        if (_render is null) return Task.CompletedTask;
        if (_rendered is not null) return _rendered.Task;
        _rendered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = _rendered.Task;
        _ = _render();
        return pending;
    }

    /// <summary>
    /// Called by <see cref="MudProviders"/> when it has rendered the providers. Their components are created and subscribe
    /// while this render is processed, before the continuations this releases run (they are posted to the circuit).
    /// </summary>
    internal void Rendered() => _rendered?.TrySetResult();
}

/// <summary>
/// The dialog service of a page body whose providers render on demand: before a dialog is shown, the dialog provider is
/// rendered (MudBlazor's provider only sees dialogs added after it subscribed). Everything else is the MudBlazor service's.
/// </summary>
public sealed class OnDemandDialogService(DialogService inner, MudProvidersOnDemand providers) : IDialogService
{
    private const DynamicallyAccessedMemberTypes All = DynamicallyAccessedMemberTypes.All;

    public event Func<IDialogReference, Task> DialogInstanceAddedAsync
    {
        add => inner.DialogInstanceAddedAsync += value;
        remove => inner.DialogInstanceAddedAsync -= value;
    }

    public event Action<IDialogReference, DialogResult?>? OnDialogCloseRequested
    {
        add => inner.OnDialogCloseRequested += value;
        remove => inner.OnDialogCloseRequested -= value;
    }

    public Task<IDialogReference> ShowAsync<[DynamicallyAccessedMembers(All)] TComponent>() where TComponent : IComponent =>
        AfterProvidersAsync(() => inner.ShowAsync<TComponent>());

    public Task<IDialogReference> ShowAsync<[DynamicallyAccessedMembers(All)] TComponent>(string? title) where TComponent : IComponent =>
        AfterProvidersAsync(() => inner.ShowAsync<TComponent>(title));

    public Task<IDialogReference> ShowAsync<[DynamicallyAccessedMembers(All)] TComponent>(string? title, DialogOptions options) where TComponent : IComponent =>
        AfterProvidersAsync(() => inner.ShowAsync<TComponent>(title, options));

    public Task<IDialogReference> ShowAsync<[DynamicallyAccessedMembers(All)] TComponent>(DialogOptions options) where TComponent : IComponent =>
        AfterProvidersAsync(() => inner.ShowAsync<TComponent>(options));

    public Task<IDialogReference> ShowAsync<[DynamicallyAccessedMembers(All)] TComponent>(DialogParameters parameters) where TComponent : IComponent =>
        AfterProvidersAsync(() => inner.ShowAsync<TComponent>(parameters));

    public Task<IDialogReference> ShowAsync<[DynamicallyAccessedMembers(All)] TComponent>(string? title, DialogParameters parameters) where TComponent : IComponent =>
        AfterProvidersAsync(() => inner.ShowAsync<TComponent>(title, parameters));

    public Task<IDialogReference> ShowAsync<[DynamicallyAccessedMembers(All)] TComponent>(string? title, DialogParameters parameters, DialogOptions? options) where TComponent : IComponent =>
        AfterProvidersAsync(() => inner.ShowAsync<TComponent>(title, parameters, options));

    public Task<IDialogReference> ShowAsync<[DynamicallyAccessedMembers(All)] TComponent>(DialogParameters parameters, DialogOptions options) where TComponent : IComponent =>
        AfterProvidersAsync(() => inner.ShowAsync<TComponent>(parameters, options));

    public Task<IDialogReference> ShowAsync([DynamicallyAccessedMembers(All)] Type component) =>
        AfterProvidersAsync(() => inner.ShowAsync(component));

    public Task<IDialogReference> ShowAsync([DynamicallyAccessedMembers(All)] Type component, string? title) =>
        AfterProvidersAsync(() => inner.ShowAsync(component, title));

    public Task<IDialogReference> ShowAsync([DynamicallyAccessedMembers(All)] Type component, string? title, DialogOptions options) =>
        AfterProvidersAsync(() => inner.ShowAsync(component, title, options));

    public Task<IDialogReference> ShowAsync([DynamicallyAccessedMembers(All)] Type component, string? title, DialogParameters parameters) =>
        AfterProvidersAsync(() => inner.ShowAsync(component, title, parameters));

    public Task<IDialogReference> ShowAsync([DynamicallyAccessedMembers(All)] Type component, string? title, DialogParameters parameters, DialogOptions options) =>
        AfterProvidersAsync(() => inner.ShowAsync(component, title, parameters, options));

    public IDialogReference CreateReference() => inner.CreateReference();

    public Task<bool?> ShowMessageBoxAsync(string? title, string message, string yesText = "OK", string? noText = null, string? cancelText = null, DialogOptions? options = null) =>
        AfterProvidersAsync(() => inner.ShowMessageBoxAsync(title, message, yesText, noText, cancelText, options));

    public Task<bool?> ShowMessageBoxAsync(string? title, MarkupString markupMessage, string yesText = "OK", string? noText = null, string? cancelText = null, DialogOptions? options = null) =>
        AfterProvidersAsync(() => inner.ShowMessageBoxAsync(title, markupMessage, yesText, noText, cancelText, options));

    public Task<bool?> ShowMessageBoxAsync(MessageBoxOptions messageBoxOptions, DialogOptions? options = null) =>
        AfterProvidersAsync(() => inner.ShowMessageBoxAsync(messageBoxOptions, options));

    public void Close(IDialogReference dialog) => inner.Close(dialog);

    public void Close(IDialogReference dialog, DialogResult? result) => inner.Close(dialog, result);

    /// <summary>Every way of showing a dialog: the providers first, then MudBlazor's service.</summary>
    private async Task<T> AfterProvidersAsync<T>(Func<Task<T>> show)
    {
        await providers.EnsureAsync();
        return await show();
    }
}
