using Microsoft.AspNetCore.Components;

namespace OrgConsole.Components.Shared;

/// <summary>
/// The base of every page under <c>/orgs/{OrgId}</c>: the organization from the route, the viewer's
/// <see cref="OrgContext"/> (cascaded by <c>OrgShell</c>, the page body's interactive root), and one load per organization.
/// </summary>
/// <remarks>
/// <c>OrgShell</c> cascades a fresh <see cref="OrgContext"/> whenever it re-reads the role (every navigation, every
/// <see cref="OrgContext.RefreshAsync"/>). That re-renders the page with the new
/// permissions but does not load it again: a half-typed form stays as typed. A page loads again only when
/// <see cref="LoadKey"/> changes (another organization, or another route value the page shows), or when it reloads
/// itself after a change it made.
/// </remarks>
public abstract class OrgPage : ComponentBase
{
    private object? _loadedFor;

    [Parameter] public Guid OrgId { get; set; }

    /// <summary>What the viewer may do here; null until the shell has read the role.</summary>
    [CascadingParameter] public OrgContext? Org { get; set; }

    /// <summary>What one load is for: the organization by default; a page that shows another route value adds it.</summary>
    protected virtual object LoadKey => OrgId;

    /// <summary>Loads what the page shows of <see cref="OrgId"/>. Runs once per <see cref="LoadKey"/>.</summary>
    protected abstract Task LoadPageAsync();

    protected override async Task OnParametersSetAsync()
    {
        var key = LoadKey;
        if (Equals(_loadedFor, key)) return;
        _loadedFor = key;
        await LoadPageAsync();
    }
}
