using Microsoft.AspNetCore.Components;
using MudBlazor;
using OrgConsole.Common;
using OrgConsole.Features.Plans;

namespace OrgConsole.Components.Shared;

/// <summary>
/// How every page shows what an action came to: a success says so in a snackbar; a refusal says why, once.
/// Forbidden and NotFound may mean the role changed (or the thing is gone): said in a snackbar, and the role is re-read.
/// A write that lost a race is said in a snackbar and the page reloads its data, so that a retry starts from what is
/// stored. Any other refusal goes to the page's inline handler when the page shows it beside the form, else to a
/// snackbar. A plan gate links to where the plan is changed.
/// </summary>
public static class PageActions
{
    public const string PlanLinkText = "Go to Billing → Plan";

    public static string PlanHref(Guid organizationId) => PlanGate.ChangePlanHref(organizationId);

    /// <summary>Shows <paramref name="result"/> on an organization page; true when it succeeded.</summary>
    /// <param name="inline">Shows a refusal beside the form, answering whether it did (else it goes to a snackbar).</param>
    /// <param name="reload">Re-reads the page's data after a write lost a race.</param>
    public static Task<bool> ShowAsync(this ISnackbar snackbar, Result result, string success, OrgContext? org,
        Func<Error, bool>? inline = null, Func<Task>? reload = null) =>
        snackbar.ShowAsync(result, success, org?.OrganizationId, org is null ? null : org.RefreshAsync, inline, reload);

    /// <summary>Shows <paramref name="result"/>; <paramref name="refreshRole"/> re-reads the caller's role after Forbidden or NotFound.</summary>
    public static async Task<bool> ShowAsync(this ISnackbar snackbar, Result result, string success, Guid? organizationId, Func<Task>? refreshRole,
        Func<Error, bool>? inline = null, Func<Task>? reload = null)
    {
        if (result.IsSuccess)
        {
            snackbar.Add(success, Severity.Success);
            return true;
        }
        await snackbar.ShowRefusalAsync(result.Error, organizationId, refreshRole, inline, reload);
        return false;
    }

    /// <summary>A refusal on a page outside an organization (the support console): there is no role to re-read.</summary>
    public static Task ShowRefusalAsync(this ISnackbar snackbar, Error error) => snackbar.ShowRefusalAsync(error, organizationId: null, refreshRole: null);

    public static Task ShowRefusalAsync(this ISnackbar snackbar, Error error, OrgContext? org,
        Func<Error, bool>? inline = null, Func<Task>? reload = null) =>
        snackbar.ShowRefusalAsync(error, org?.OrganizationId, org is null ? null : org.RefreshAsync, inline, reload);

    public static async Task ShowRefusalAsync(this ISnackbar snackbar, Error error, Guid? organizationId, Func<Task>? refreshRole,
        Func<Error, bool>? inline = null, Func<Task>? reload = null)
    {
        var roleMayHaveChanged = error.Kind is ErrorKind.Forbidden or ErrorKind.NotFound;
        if (!IsStale(error) && inline is not null && inline(error)) return;
        if (error.IsPlanGate && organizationId is { } orgId) snackbar.Add(WithPlanLink(error.Message, orgId), Severity.Error, key: error.Message);
        else snackbar.Add(error.Message, Severity.Error);
        if (roleMayHaveChanged && refreshRole is not null) await refreshRole();
        if (error.IsConcurrentChange && reload is not null) await reload();
    }

    /// <summary>What the page shows is no longer so (the role, the thing itself, or a version another write replaced): not a field's fault.</summary>
    public static bool IsStale(Error error) => error.Kind is ErrorKind.Forbidden or ErrorKind.NotFound || error.IsConcurrentChange;

    private static RenderFragment WithPlanLink(string message, Guid organizationId) => builder =>
    {
        builder.AddContent(0, message + " ");
        builder.OpenComponent<MudLink>(1);
        builder.AddComponentParameter(2, nameof(MudLink.Href), PlanHref(organizationId));
        builder.AddComponentParameter(3, nameof(MudLink.Underline), Underline.Always);
        builder.AddAttribute(4, "data-testid", "plan-link");
        builder.AddComponentParameter(5, nameof(MudLink.ChildContent), (RenderFragment)(text => text.AddContent(0, PlanLinkText)));
        builder.CloseComponent();
    };
}

/// <summary>The options every dialog opens with, so that dialogs look and close alike.</summary>
public static class ConsoleDialogs
{
    /// <summary>A form or a confirmation.</summary>
    public static readonly DialogOptions Small = new() { MaxWidth = MaxWidth.Small, FullWidth = true };

    /// <summary>A form with more to fill in, or a list.</summary>
    public static readonly DialogOptions Medium = new() { MaxWidth = MaxWidth.Medium, FullWidth = true };

    /// <summary>Details to read, closed with the header's close button.</summary>
    public static readonly DialogOptions Details = new() { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseButton = true };

    /// <summary>Shows a secret once: only its own button closes it, so a stray click or Escape cannot lose the secret.</summary>
    public static readonly DialogOptions ShowsSecret = new() { MaxWidth = MaxWidth.Small, FullWidth = true, BackdropClick = false, CloseOnEscapeKey = false };
}
