using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using OrgConsole.Common;
using OrgConsole.Common.Http;
using OrgConsole.Data;
using OrgConsole.Features.Organizations;

namespace OrgConsole.Features.Sso;

/// <summary>Why an SSO sign-in did not complete. The code travels in the sign-in page's query string; the words stay here.</summary>
public enum SsoFailure
{
    NotConfigured,
    ProviderUnavailable,
    FlowExpired,
    ProviderRefused,
    InvalidToken,
    EmailNotCovered,
    LockedOut,
}

public static class SsoFailures
{
    public static string Code(SsoFailure failure) => failure.ToString().ToLowerInvariant();

    public static SsoFailure? Parse(string? code) =>
        Enum.GetValues<SsoFailure>().Cast<SsoFailure?>().FirstOrDefault(f => Code(f!.Value) == code);

    public static string Describe(SsoFailure failure) => failure switch
    {
        SsoFailure.NotConfigured => "Single sign-on is not set up for this email's domain. Sign in with your password.",
        SsoFailure.ProviderUnavailable => "Your organization's identity provider could not be reached. Try again in a moment, or ask your organization's owner to check the SSO settings.",
        SsoFailure.FlowExpired => "The single sign-on attempt expired or came from another browser window. Start again.",
        SsoFailure.ProviderRefused => "Your organization's identity provider did not sign you in. Try again, or ask your organization's owner to check the SSO settings.",
        SsoFailure.InvalidToken => "The identity provider's answer could not be verified, so you were not signed in. Ask your organization's owner to check the SSO settings.",
        SsoFailure.EmailNotCovered => "The identity provider signed you in with an email address outside your organization's SSO domains.",
        SsoFailure.LockedOut => "This account is locked out. Try again later.",
        _ => "Single sign-on failed.",
    };
}

/// <summary>
/// The OpenID Connect authorization code flow with PKCE (S256), for whichever organization's provider covers the email:
/// one app, many providers. The state, nonce and code verifier travel in a short-lived cookie encrypted with Data Protection.
/// </summary>
public sealed class SsoSignIn(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    SsoDirectory directory,
    SsoDiscovery discovery,
    SsoService settings,
    SsoProvisioning provisioning,
    IDataProtectionProvider dataProtection,
    IHttpClientFactory httpClients,
    SignInManager<ApplicationUser> signInManager,
    PublicUrl publicUrl,
    ILogger<SsoSignIn> logger)
{
    public const string StartPath = "/sso/start";
    public const string FlowCookie = "OrgConsole.Sso.Flow";
    private static readonly TimeSpan FlowLifetime = TimeSpan.FromMinutes(10);
    private const string FlowPurpose = "OrgConsole.Sso.Flow.v1";

    /// <summary>Where "Continue with SSO" goes for an email.</summary>
    public static string StartUrl(string email, string? returnUrl) =>
        $"{StartPath}?email={Uri.EscapeDataString(email)}" + (string.IsNullOrEmpty(returnUrl) ? "" : $"&returnUrl={Uri.EscapeDataString(returnUrl)}");

    public static string FailureUrl(SsoFailure failure, string? email = null) =>
        $"/Account/Login?sso_error={SsoFailures.Code(failure)}" + (email is null ? "" : $"&email={Uri.EscapeDataString(email)}");

    private sealed record Flow(Guid OrganizationId, string State, string Nonce, string CodeVerifier, string RedirectUri, string? ReturnUrl, string Email);

    /// <summary>Sends the browser to the provider of the email's organization; returns where to redirect.</summary>
    public async Task<string> BeginAsync(HttpContext http, string? email, string? returnUrl, CancellationToken ct = default)
    {
        var route = await directory.FindAsync(email, ct);
        if (route is null) return FailureUrl(SsoFailure.NotConfigured, email);
        var connection = await LoadConnectionAsync(route.OrganizationId, ct);
        if (connection is null) return FailureUrl(SsoFailure.NotConfigured, email);

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await discovery.GetConfigurationAsync(new Uri(connection.Issuer), ct);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException)
        {
            logger.LogWarning(e, "SSO discovery failed for organization {OrganizationId}", route.OrganizationId);
            return FailureUrl(SsoFailure.ProviderUnavailable, email);
        }

        var flow = new Flow(route.OrganizationId, RandomToken(), RandomToken(), RandomToken(), publicUrl.To(SsoService.CallbackPath),
            IsLocal(returnUrl) ? returnUrl : null, email!.Trim());
        var protector = dataProtection.CreateProtector(FlowPurpose).ToTimeLimitedDataProtector();
        http.Response.Cookies.Append(FlowCookie, protector.Protect(JsonSerializer.Serialize(flow), FlowLifetime), new CookieOptions
        {
            HttpOnly = true, Secure = http.Request.IsHttps, SameSite = SameSiteMode.Lax, Path = "/sso", MaxAge = FlowLifetime, IsEssential = true,
        });

        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = connection.ClientId,
            ["redirect_uri"] = flow.RedirectUri,
            ["scope"] = "openid email profile",
            ["state"] = flow.State,
            ["nonce"] = flow.Nonce,
            ["code_challenge"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(flow.CodeVerifier))),
            ["code_challenge_method"] = "S256",
            ["login_hint"] = flow.Email,
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(configuration.AuthorizationEndpoint, query);
    }

    /// <summary>Handles the provider's redirect back: checks state, redeems the code, validates the id_token, provisions, signs in.</summary>
    public async Task<string> CompleteAsync(HttpContext http, CancellationToken ct = default)
    {
        var query = http.Request.Query;
        var flow = ReadFlow(http);
        http.Response.Cookies.Delete(FlowCookie, new CookieOptions { Path = "/sso", Secure = http.Request.IsHttps, SameSite = SameSiteMode.Lax });
        if (flow is null || !FixedTimeEquals(flow.State, query["state"])) return FailureUrl(SsoFailure.FlowExpired);
        if (!string.IsNullOrEmpty(query["error"]))
        {
            logger.LogInformation("SSO provider refused the sign-in for organization {OrganizationId}: {Error}", flow.OrganizationId, query["error"].ToString());
            return FailureUrl(SsoFailure.ProviderRefused, flow.Email);
        }
        if (string.IsNullOrEmpty(query["code"])) return FailureUrl(SsoFailure.ProviderRefused, flow.Email);

        var connection = await LoadConnectionAsync(flow.OrganizationId, ct);
        if (connection is null) return FailureUrl(SsoFailure.NotConfigured, flow.Email);
        var issuer = new Uri(connection.Issuer);

        OpenIdConnectConfiguration configuration;
        string? idToken;
        try
        {
            configuration = await discovery.GetConfigurationAsync(issuer, ct);
            idToken = await RedeemCodeAsync(configuration, connection, query["code"]!, flow, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or TaskCanceledException or JsonException)
        {
            logger.LogWarning(e, "SSO token request failed for organization {OrganizationId}", flow.OrganizationId);
            return FailureUrl(SsoFailure.ProviderUnavailable, flow.Email);
        }
        if (idToken is null) return FailureUrl(SsoFailure.ProviderRefused, flow.Email);

        var identity = await ValidateIdTokenAsync(idToken, configuration, connection, flow, ct);
        if (identity is null) return FailureUrl(SsoFailure.InvalidToken, flow.Email);
        var (email, name) = identity.Value;

        var admitted = await provisioning.AdmitAsync(flow.OrganizationId, email, name,
            http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString(), ct);
        if (!admitted.IsSuccess)
        {
            return FailureUrl(admitted.Error!.Kind switch
            {
                ErrorKind.NotFound => SsoFailure.NotConfigured,
                ErrorKind.Forbidden => SsoFailure.LockedOut,
                _ => SsoFailure.EmailNotCovered,
            }, flow.Email);
        }

        var user = await signInManager.UserManager.FindByIdAsync(admitted.Value.UserId);
        if (user is null) return FailureUrl(SsoFailure.NotConfigured, flow.Email);
        await signInManager.SignInAsync(user, isPersistent: false, authenticationMethod: "sso");
        return flow.ReturnUrl ?? $"/orgs/{flow.OrganizationId}";
    }

    private async Task<SsoConnection?> LoadConnectionAsync(Guid organizationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (
            from c in db.Set<SsoConnection>().AsNoTracking().Include(c => c.Domains)
            join o in db.Organizations on c.OrganizationId equals o.Id
            where c.OrganizationId == organizationId && o.DeletedAt == null && o.Plan == Plan.Enterprise
            select c).FirstOrDefaultAsync(ct);
    }

    private async Task<string?> RedeemCodeAsync(OpenIdConnectConfiguration configuration, SsoConnection connection, string code, Flow flow, CancellationToken ct)
    {
        var secret = settings.UnprotectSecret(connection);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = flow.RedirectUri,
            ["code_verifier"] = flow.CodeVerifier,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint);
        var methods = configuration.TokenEndpointAuthMethodsSupported;
        if (methods.Count > 0 && !methods.Contains("client_secret_basic") && methods.Contains("client_secret_post"))
        {
            form["client_id"] = connection.ClientId;
            form["client_secret"] = secret;
        }
        else
        {
            // RFC 6749 §2.3.1: both parts form-encoded before Basic encoding.
            var credentials = $"{Uri.EscapeDataString(connection.ClientId)}:{Uri.EscapeDataString(secret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        request.Content = new FormUrlEncodedContent(form);
        using var client = httpClients.CreateClient(SsoDiscovery.HttpClientName);
        using var response = await client.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            logger.LogWarning("SSO token endpoint answered {Status} for organization {OrganizationId}", (int)response.StatusCode, flow.OrganizationId);
            return null;
        }
        using var json = JsonDocument.Parse(body);
        return json.RootElement.TryGetProperty("id_token", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
    }

    private async Task<(string Email, string? Name)?> ValidateIdTokenAsync(string idToken, OpenIdConnectConfiguration configuration, SsoConnection connection, Flow flow, CancellationToken ct)
    {
        if (!SsoRules.SameIssuer(configuration.Issuer, connection.Issuer))
        {
            logger.LogWarning("SSO provider of organization {OrganizationId} names issuer {Actual}, expected {Expected}", flow.OrganizationId, configuration.Issuer, connection.Issuer);
            return null;
        }
        var handler = new JsonWebTokenHandler();
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = connection.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromMinutes(2),
        };
        var result = await handler.ValidateTokenAsync(idToken, parameters);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // The provider may have rotated its keys since they were cached.
            discovery.Refresh(new Uri(connection.Issuer));
            configuration = await discovery.GetConfigurationAsync(new Uri(connection.Issuer), ct);
            parameters.IssuerSigningKeys = configuration.SigningKeys;
            result = await handler.ValidateTokenAsync(idToken, parameters);
        }
        if (!result.IsValid)
        {
            logger.LogWarning("SSO id_token rejected for organization {OrganizationId}: {Reason}", flow.OrganizationId, result.Exception?.Message);
            return null;
        }
        var token = (JsonWebToken)result.SecurityToken;
        if (!token.TryGetPayloadValue<string>("nonce", out var nonce) || !FixedTimeEquals(flow.Nonce, nonce))
        {
            logger.LogWarning("SSO id_token for organization {OrganizationId} has the wrong nonce", flow.OrganizationId);
            return null;
        }
        if (!token.TryGetPayloadValue<string>("email", out var email) || SsoRules.DomainOf(email) is null) return null;
        if (token.TryGetPayloadValue<bool>("email_verified", out var verified) && !verified) return null;
        token.TryGetPayloadValue<string>("name", out var name);
        return (email, name);
    }

    private Flow? ReadFlow(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(FlowCookie, out var raw) || string.IsNullOrEmpty(raw)) return null;
        try
        {
            var json = dataProtection.CreateProtector(FlowPurpose).ToTimeLimitedDataProtector().Unprotect(raw);
            return JsonSerializer.Deserialize<Flow>(json);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string RandomToken() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    private static bool FixedTimeEquals(string expected, string? actual) =>
        actual is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
