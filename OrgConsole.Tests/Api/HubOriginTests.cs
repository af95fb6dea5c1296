using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

/// <summary>
/// Cross-site WebSocket hijacking: a page on another site must not open the Blazor hub with the user's cookies.
/// Each test negotiates a real connection first, so the WebSocket request differs only in its Origin header —
/// the same-origin control proves the refusal comes from the origin check, not from a malformed request.
/// </summary>
public sealed class HubOriginTests(KestrelAppFixture fixture) : IClassFixture<KestrelAppFixture>
{
    private string OwnOrigin => fixture.BaseAddress.GetLeftPart(UriPartial.Authority);

    [Theory(Timeout = 60_000)]
    [InlineData("http://evil.example")]
    [InlineData("http://127.0.0.1.evil.example")]
    [InlineData("null")]
    public async Task HubWebSocket_FromForeignOrigin_IsRefusedWith403(string foreignOrigin)
    {
        var connectionToken = await NegotiateAsync();

        using var socket = NewSocket(foreignOrigin);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(HubUri(connectionToken), TestTimeout()));

        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
        Assert.NotEqual(WebSocketState.Open, socket.State);
    }

    [Fact(Timeout = 60_000)]
    public async Task HubWebSocket_FromOwnOrigin_IsAccepted()
    {
        var connectionToken = await NegotiateAsync();

        using var socket = NewSocket(OwnOrigin);
        await socket.ConnectAsync(HubUri(connectionToken), TestTimeout());

        Assert.Equal(HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);
        Assert.Equal(WebSocketState.Open, socket.State);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", TestTimeout());
    }

    [Fact(Timeout = 60_000)]
    public async Task HubNegotiate_FromForeignOrigin_IsRefusedWith403()
    {
        using var client = new HttpClient { BaseAddress = fixture.BaseAddress };
        using var request = NegotiateRequest("http://evil.example");

        using var response = await client.SendAsync(request, TestTimeout());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task HubNegotiate_FromOwnOrigin_Succeeds()
    {
        var connectionToken = await NegotiateAsync();

        Assert.False(string.IsNullOrEmpty(connectionToken));
    }

    private async Task<string> NegotiateAsync()
    {
        using var client = new HttpClient { BaseAddress = fixture.BaseAddress };
        using var request = NegotiateRequest(OwnOrigin);
        using var response = await client.SendAsync(request, TestTimeout());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("connectionToken").GetString()!;
    }

    private static HttpRequestMessage NegotiateRequest(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "_blazor/negotiate?negotiateVersion=1") { Content = new StringContent("") };
        request.Headers.Add("Origin", origin);
        return request;
    }

    private static ClientWebSocket NewSocket(string origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", origin);
        return socket;
    }

    private Uri HubUri(string connectionToken) =>
        new UriBuilder(fixture.BaseAddress) { Scheme = "ws", Path = "/_blazor", Query = $"id={Uri.EscapeDataString(connectionToken)}" }.Uri;

    private static CancellationToken TestTimeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
