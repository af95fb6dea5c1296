using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Diagnostics;

namespace OrgConsole.Components.Layout;

/// <summary>
/// What the page body's circuit remembers across pages (scoped: one per circuit). The layout around the page body
/// (<see cref="PageHost"/>) is static server rendering; enhanced navigation may give the circuit a new page body root,
/// and cascading values do not cross from one root to another.
/// </summary>
public sealed class ShellState
{
    /// <summary>The organization this circuit last showed: after a person loses it, the page says "you no longer have access to" it by name.</summary>
    public (Guid Id, string Name)? LastShown { get; set; }
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
