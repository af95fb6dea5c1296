using System.Net.Sockets;
using System.Text.Json;

namespace OrgConsole.Features.Sso;

/// <summary>The outcome of fetching a provider's discovery document: OK, or what is wrong in words an owner can act on.</summary>
public sealed record DiscoveryCheck(bool Ok, string Message, string? AuthorizationEndpoint = null, string? TokenEndpoint = null);

/// <summary>
/// "Test connection" for the settings page: checks a provider's discovery document and says what is wrong. Sign-ins
/// fetch and cache metadata through the OpenID Connect handler (see <see cref="SsoOidc"/>).
/// </summary>
public sealed class SsoDiscovery(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "sso";
    private static readonly string[] RequiredFields = ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"];

    /// <summary>Fetches <c>{issuer}/.well-known/openid-configuration</c> and says clearly what is wrong: unreachable, not OIDC, wrong issuer.</summary>
    public async Task<DiscoveryCheck> CheckAsync(Uri issuer, CancellationToken ct = default)
    {
        var address = SsoRules.DiscoveryAddress(issuer);
        using var client = httpClients.CreateClient(HttpClientName);
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(address, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is SsoAddressRefusedException refused)
        {
            return new(false, $"Refused: {refused.Message}");
        }
        catch (HttpRequestException e)
        {
            var why = e.InnerException is SocketException socket ? socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "the connection was refused",
                SocketError.HostNotFound or SocketError.NoData => "the host name does not resolve",
                SocketError.TimedOut => "the connection timed out",
                _ => socket.Message,
            } : e.Message;
            return new(false, $"Unreachable: could not connect to {address.GetLeftPart(UriPartial.Authority)} ({why}). Check the issuer URL and that the provider is reachable from this server.");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(false, $"Unreachable: {address} did not answer within {client.Timeout.TotalSeconds:0} seconds.");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return new(false, $"Not an OpenID Connect provider: {address} answered {(int)response.StatusCode} {response.ReasonPhrase}. Check the issuer URL (the discovery document lives at /.well-known/openid-configuration under it).");
            }
            var body = await response.Content.ReadAsStringAsync(ct);
            JsonElement document;
            try
            {
                document = JsonDocument.Parse(body).RootElement.Clone();
            }
            catch (JsonException)
            {
                return new(false, $"Not an OpenID Connect provider: {address} did not return JSON (it returned {response.Content.Headers.ContentType?.MediaType ?? "something else"}).");
            }
            if (document.ValueKind != JsonValueKind.Object)
            {
                return new(false, $"Not an OpenID Connect provider: the document at {address} is not a JSON object.");
            }
            var missing = RequiredFields.Where(f => !document.TryGetProperty(f, out var v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString())).ToList();
            if (missing.Count > 0)
            {
                return new(false, $"Not an OpenID Connect provider: the discovery document lacks {string.Join(", ", missing)}.");
            }
            var documentIssuer = document.GetProperty("issuer").GetString();
            if (!SsoRules.SameIssuer(documentIssuer, issuer.AbsoluteUri))
            {
                return new(false, $"Wrong issuer: the provider calls itself {documentIssuer}, but the settings say {issuer.AbsoluteUri}. Enter the issuer exactly as the provider states it.");
            }
            if (document.TryGetProperty("code_challenge_methods_supported", out var methods) && methods.ValueKind == JsonValueKind.Array
                && !methods.EnumerateArray().Any(m => m.ValueKind == JsonValueKind.String && m.GetString() == "S256"))
            {
                return new(false, "The provider does not support PKCE with S256, which OrgConsole requires for sign-in.");
            }
            return new(true, $"Connected: {documentIssuer} is an OpenID Connect provider.",
                document.GetProperty("authorization_endpoint").GetString(), document.GetProperty("token_endpoint").GetString());
        }
    }
}
