using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using OidcClaims = OpenIddict.Abstractions.OpenIddictConstants.Claims;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OrgConsole.Tests.TestSupport.OidcProvider;

/// <summary>
/// A real OpenID Connect provider (OpenIddict's server) on a loopback port, for the SSO tests: discovery, JWKS,
/// an authorization endpoint with a one-field login page, and a token endpoint that redeems codes (PKCE enforced).
/// It knows one client. People sign in by typing their email on its login page, or automatically as
/// <see cref="AutoSignInEmail"/>. A few extra paths serve broken discovery documents for the failure messages.
/// </summary>
public sealed class OidcTestProvider : IAsyncDisposable
{
    public const string ClientId = "orgconsole";
    public const string ClientSecret = "test-client-secret-4f2a";
    public const string LoginButton = "Sign in to Test IdP";

    private readonly WebApplication _app;
    private readonly HashSet<string> _redirectUris = new(StringComparer.Ordinal);

    private OidcTestProvider(WebApplication app, Uri issuer, bool emailOnlyFromUserInfo)
    {
        _app = app;
        Issuer = issuer;
        EmailOnlyFromUserInfo = emailOnlyFromUserInfo;
    }

    /// <summary>
    /// Like most providers (panva's oidc-provider by default): the ID token carries only the subject; email, email_verified
    /// and name come from the UserInfo endpoint.
    /// </summary>
    public bool EmailOnlyFromUserInfo { get; }

    /// <summary>The subject the provider gives a person; by default derived from the email. Tests change it to reassign an address.</summary>
    public Func<string, string> SubjectOf { get; set; } = email => "sub-" + email.ToLowerInvariant();

    /// <summary>What the provider says of email_verified (null: the claim is left out).</summary>
    public bool? EmailVerified { get; set; } = true;

    /// <summary>The issuer, e.g. http://127.0.0.1:12345/ (with the trailing slash OpenIddict states).</summary>
    public Uri Issuer { get; }

    /// <summary>An issuer whose discovery document is an HTML page.</summary>
    public Uri HtmlIssuer => new(Issuer, "html/");

    /// <summary>An issuer whose discovery document is JSON without the OpenID Connect fields.</summary>
    public Uri IncompleteIssuer => new(Issuer, "incomplete/");

    /// <summary>An issuer whose discovery document names a different issuer (this provider's root).</summary>
    public Uri WrongIssuer => new(Issuer, "elsewhere/");

    /// <summary>When set, the authorization endpoint signs this person in without showing its login page.</summary>
    public string? AutoSignInEmail { get; set; }

    /// <summary>The redirect URIs the client may use (OrgConsole's <c>/sso/callback</c>).</summary>
    public void AllowRedirectUri(string uri)
    {
        lock (_redirectUris) _redirectUris.Add(uri);
    }

    private bool IsAllowedRedirect(string? uri)
    {
        lock (_redirectUris) return uri is not null && _redirectUris.Contains(uri);
    }

    public static async Task<OidcTestProvider> StartAsync(bool emailOnlyFromUserInfo = false)
    {
        var port = FreeLoopbackPort();
        var issuer = new Uri($"http://127.0.0.1:{port}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        OidcTestProvider? self = null;

        builder.Services.AddOpenIddict().AddServer(options =>
        {
            options.SetIssuer(issuer);
            options.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token").SetUserInfoEndpointUris("connect/userinfo");
            options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            options.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile);
            options.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            options.DisableAccessTokenEncryption();
            // No database: the provider knows its one client, checked by the handlers below.
            options.EnableDegradedMode();
            options.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableUserInfoEndpointPassthrough().DisableTransportSecurityRequirement();

            options.AddEventHandler<ValidateAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId) context.Reject(Errors.InvalidClient, "Unknown client.");
                else if (!self!.IsAllowedRedirect(context.RedirectUri)) context.Reject(Errors.InvalidRequest, "Unregistered redirect_uri.");
                return default;
            }));
            options.AddEventHandler<ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.Request.ClientId != ClientId || context.Request.ClientSecret != ClientSecret)
                {
                    context.Reject(Errors.InvalidClient, "Wrong client credentials.");
                }
                return default;
            }));
        });

        var app = builder.Build();
        self = new OidcTestProvider(app, issuer, emailOnlyFromUserInfo);
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (Delegate)(Func<HttpContext, Task<IResult>>)self.AuthorizeAsync);
        app.MapMethods("/connect/userinfo", [HttpMethods.Get, HttpMethods.Post], (Delegate)(Func<HttpContext, Task<IResult>>)UserInfoAsync);
        app.MapGet("/html/.well-known/openid-configuration", () => Results.Content("<!doctype html><title>Welcome</title><p>Hello</p>", "text/html"));
        app.MapGet("/incomplete/.well-known/openid-configuration", () => Results.Json(new { name = "not a provider" }));
        app.MapGet("/elsewhere/.well-known/openid-configuration", async () =>
        {
            using var client = new HttpClient();
            return Results.Content(await client.GetStringAsync(new Uri(issuer, ".well-known/openid-configuration")), "application/json");
        });
        await app.StartAsync();
        // Warm up (keys, JIT) so the first real request answers promptly even on a busy machine.
        using (var warmUp = new HttpClient { Timeout = TimeSpan.FromSeconds(60) })
        {
            var discovery = await warmUp.GetStringAsync(new Uri(issuer, ".well-known/openid-configuration"));
            var jwks = System.Text.Json.JsonDocument.Parse(discovery).RootElement.GetProperty("jwks_uri").GetString()!;
            await warmUp.GetStringAsync(jwks);
        }
        return self;
    }

    private async Task<IResult> AuthorizeAsync(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var email = AutoSignInEmail ?? (HttpMethods.IsPost(http.Request.Method) ? (string?)request["test_email"] : null);
        if (string.IsNullOrWhiteSpace(email)) return LoginPage(request);

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, OidcClaims.Name, OidcClaims.Role);
        identity.AddClaim(new Claim(OidcClaims.Subject, SubjectOf(email)));
        identity.AddClaim(new Claim(OidcClaims.Email, email));
        if (EmailVerified is { } verified) identity.AddClaim(new Claim(OidcClaims.EmailVerified, verified ? "true" : "false", ClaimValueTypes.Boolean));
        identity.AddClaim(new Claim(OidcClaims.Name, "SSO " + email.Split('@')[0]));
        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(request.GetScopes());
        foreach (var claim in principal.Claims)
        {
            if (EmailOnlyFromUserInfo && claim.Type != OidcClaims.Subject) claim.SetDestinations(Destinations.AccessToken);
            else claim.SetDestinations(Destinations.IdentityToken, Destinations.AccessToken);
        }
        await Task.CompletedTask;
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>UserInfo: the claims of the access token's principal (OpenID Connect Core §5.3).</summary>
    private static async Task<IResult> UserInfoAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (result.Principal is not { } principal) return Results.Challenge(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        var claims = new Dictionary<string, object?> { [OidcClaims.Subject] = principal.GetClaim(OidcClaims.Subject) };
        if (principal.GetClaim(OidcClaims.Email) is { } email) claims[OidcClaims.Email] = email;
        if (principal.GetClaim(OidcClaims.EmailVerified) is { } verified) claims[OidcClaims.EmailVerified] = bool.Parse(verified);
        if (principal.GetClaim(OidcClaims.Name) is { } name) claims[OidcClaims.Name] = name;
        return Results.Json(claims);
    }

    /// <summary>The provider's login page: the authorization request's parameters as hidden fields, and the email.</summary>
    private static IResult LoginPage(OpenIddictRequest request)
    {
        var html = new StringBuilder("<!doctype html><html lang=\"en\"><head><title>Test IdP · Sign in</title><link rel=\"icon\" href=\"data:,\"></head><body><main>");
        html.Append("<h1>Test IdP</h1><form method=\"post\" action=\"/connect/authorize\">");
        foreach (var (name, value) in request.GetParameters())
        {
            if (name == "test_email") continue;
            html.Append($"<input type=\"hidden\" name=\"{HtmlEncoder.Default.Encode(name)}\" value=\"{HtmlEncoder.Default.Encode((string?)value ?? "")}\">");
        }
        var hint = HtmlEncoder.Default.Encode(request.LoginHint ?? "");
        html.Append($"<label for=\"test_email\">Email</label> <input id=\"test_email\" name=\"test_email\" type=\"email\" value=\"{hint}\"> ");
        html.Append($"<button type=\"submit\">{LoginButton}</button></form></main></body></html>");
        return Results.Content(html.ToString(), "text/html");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A loopback port nothing listens on, for "unreachable".</summary>
    public static int ClosedPort() => FreeLoopbackPort();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
