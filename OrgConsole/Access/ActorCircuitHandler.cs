using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace OrgConsole.Access;

/// <summary>Keeps <see cref="ActorAccessor"/> in step with the signed-in user of a Blazor circuit.</summary>
public sealed class ActorCircuitHandler(
    ActorAccessor accessor,
    AuthenticationStateProvider authentication,
    IHttpContextAccessor httpContextAccessor) : CircuitHandler, IDisposable
{
    private string? _ip;
    private string? _userAgent;

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var http = httpContextAccessor.HttpContext;
        _ip = http?.Connection.RemoteIpAddress?.ToString();
        _userAgent = http?.Request.Headers.UserAgent.ToString();
        authentication.AuthenticationStateChanged += OnAuthenticationStateChanged;
        await SetFromAsync(authentication.GetAuthenticationStateAsync());
    }

    private void OnAuthenticationStateChanged(Task<AuthenticationState> state) => _ = SetFromAsync(state);

    private async Task SetFromAsync(Task<AuthenticationState> state)
    {
        var user = (await state).User;
        accessor.Current = Actor.FromPrincipal(user, _ip, _userAgent);
    }

    public void Dispose() => authentication.AuthenticationStateChanged -= OnAuthenticationStateChanged;
}
