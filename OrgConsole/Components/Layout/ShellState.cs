using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Diagnostics;

namespace OrgConsole.Components.Layout;

/// <summary>
/// What the interactive parts of one console tab share (scoped: one per circuit). The layout around them is static
/// server rendering: the page body (<see cref="PageHost"/>) and the app bar (<see cref="AppBarIsland"/>) are separate
/// interactive roots of the same circuit, and cascading values do not cross from one root to another.
/// </summary>
public sealed class ShellState
{
    /// <summary>The organization this circuit last showed: after a person loses it, the page says "you no longer have access to" it by name.</summary>
    public (Guid Id, string Name)? LastShown { get; set; }

    /// <summary>Raised after a page re-read the viewer's role (<see cref="Shared.OrgContext.RefreshAsync"/>): the app bar reads it again too.</summary>
    public event Func<Task>? Refreshed;

    public Task NotifyRefreshedAsync() => Refreshed?.Invoke() ?? Task.CompletedTask;
}

/// <summary>The address a static render shows: the requested one, also when a 404 re-executes the not-found page.</summary>
public static class ShownLocation
{
    public static string Of(HttpContext? http, NavigationManager navigation)
    {
        if (http?.Features.Get<IStatusCodeReExecuteFeature>() is { } reExecuted)
        {
            return navigation.ToAbsoluteUri(reExecuted.OriginalPathBase + reExecuted.OriginalPath + reExecuted.OriginalQueryString).ToString();
        }
        return navigation.Uri;
    }
}
