using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace OrgConsole.Features.Sso;

/// <summary>One organization's provider, as the OpenID Connect handler needs it for this request.</summary>
public sealed record SsoProviderSettings(Guid OrganizationId, Guid Version, string Issuer, string ClientId, string ClientSecret)
{
    public string CallbackPath => SsoOidc.CallbackPathOf(OrganizationId);
}

/// <summary>
/// ASP.NET Core's OpenID Connect handler, one scheme for every organization: which provider it talks to is decided per
/// request. A small middleware before authentication puts the organization's <see cref="SsoProviderSettings"/> in
/// <c>HttpContext.Items</c> (from the email on <c>/sso/start</c>, from the path on <c>/sso/callback/{org}</c>), and
/// <see cref="SsoOidcOptionsMonitor"/> hands the handler that organization's options — built once per saved
/// connection and kept, so each provider's discovery document and keys are cached by its own ConfigurationManager.
/// </summary>
public static class SsoOidc
{
    public const string Scheme = "sso";
    public const string SettingsItem = "OrgConsole.Sso.Provider";
    public const string OrganizationProperty = "sso.org";
    public const string LoginHintProperty = "sso.login_hint";
    public const string CallbackPrefix = "/sso/callback";

    public static string CallbackPathOf(Guid organizationId) => $"{CallbackPrefix}/{organizationId}";

    /// <summary>Puts the provider of the organization this SSO request is about where the handler's options will find it.</summary>
    public static IApplicationBuilder UseSsoProviderSelection(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var path = http.Request.Path;
        if (path.StartsWithSegments("/sso"))
        {
            Guid? organizationId = null;
            if (path.Equals(SsoSignIn.StartPath, StringComparison.OrdinalIgnoreCase))
            {
                var route = await http.RequestServices.GetRequiredService<SsoDirectory>().FindAsync(http.Request.Query["email"], http.RequestAborted);
                organizationId = route?.OrganizationId;
            }
            else if (path.StartsWithSegments(CallbackPrefix, StringComparison.OrdinalIgnoreCase, out var rest)
                && Guid.TryParse(rest.Value?.Trim('/'), out var id))
            {
                organizationId = id;
            }
            if (organizationId is { } org
                && await http.RequestServices.GetRequiredService<SsoSignIn>().LoadProviderAsync(org, http.RequestAborted) is { } provider)
            {
                http.Items[SettingsItem] = provider;
            }
        }
        await next(http);
    });
}

/// <summary>The handler's options for the organization of the current request (see <see cref="SsoOidc"/>).</summary>
public sealed class SsoOidcOptionsMonitor(IOptionsFactory<OpenIdConnectOptions> factory, IHttpContextAccessor httpContextAccessor) : IOptionsMonitor<OpenIdConnectOptions>
{
    internal static readonly AsyncLocal<SsoProviderSettings?> Building = new();
    private readonly ConcurrentDictionary<SsoProviderSettings, OpenIdConnectOptions> _providers = new();
    private readonly ConcurrentDictionary<string, OpenIdConnectOptions> _others = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private OpenIdConnectOptions? _none;

    public OpenIdConnectOptions CurrentValue => Get(Options.DefaultName);

    public OpenIdConnectOptions Get(string? name)
    {
        if (name != SsoOidc.Scheme) return _others.GetOrAdd(name ?? Options.DefaultName, factory.Create);
        if (httpContextAccessor.HttpContext?.Items[SsoOidc.SettingsItem] is SsoProviderSettings provider)
        {
            return _providers.GetOrAdd(provider, Create);
        }
        lock (_lock) return _none ??= Create(null);
    }

    private OpenIdConnectOptions Create(SsoProviderSettings? provider)
    {
        lock (_lock)
        {
            Building.Value = provider;
            try
            {
                return factory.Create(SsoOidc.Scheme);
            }
            finally
            {
                Building.Value = null;
            }
        }
    }

    public IDisposable? OnChange(Action<OpenIdConnectOptions, string?> listener) => null;
}

/// <summary>The protocol settings (code flow, PKCE, nonce, state, UserInfo) and the provider of the organization being built.</summary>
public sealed class SsoOidcConfigure(IHttpClientFactory httpClients, IOptions<SsoOptions> ssoOptions) : IConfigureNamedOptions<OpenIdConnectOptions>
{
    public void Configure(OpenIdConnectOptions options) { }

    public void Configure(string? name, OpenIdConnectOptions options)
    {
        if (name != SsoOidc.Scheme) return;
        options.SignInScheme = IdentityConstants.ExternalScheme;
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.ResponseMode = OpenIdConnectResponseMode.Query;
        options.UsePkce = true;
        options.Scope.Clear();
        foreach (var scope in new[] { "openid", "email", "profile" }) options.Scope.Add(scope);
        options.GetClaimsFromUserInfoEndpoint = true;
        options.ClaimActions.MapUniqueJsonKey("email_verified", "email_verified");
        options.MapInboundClaims = false;
        options.SaveTokens = false;
        options.DisableTelemetry = true;
        options.TokenValidationParameters.NameClaimType = "name";
        options.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
        // The provider sends the browser back with a top-level GET (response_mode=query): Lax cookies come along.
        options.CorrelationCookie.SameSite = SameSiteMode.Lax;
        options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.NonceCookie.SameSite = SameSiteMode.Lax;
        options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.Backchannel = httpClients.CreateClient(SsoDiscovery.HttpClientName);
        options.EventsType = typeof(SsoOidcEvents);
        options.SignedOutCallbackPath = "/sso/signed-out";
        options.RemoteSignOutPath = "/sso/remote-signout";

        var provider = SsoOidcOptionsMonitor.Building.Value;
        if (provider is null)
        {
            // Requests that are not about an organization's provider: nothing to talk to, nothing to fetch.
            options.ClientId = "none";
            options.CallbackPath = SsoOidc.CallbackPrefix + "/none";
            options.Configuration = new OpenIdConnectConfiguration();
            return;
        }
        var issuer = new Uri(provider.Issuer);
        options.Authority = provider.Issuer;
        options.MetadataAddress = SsoRules.DiscoveryAddress(issuer).AbsoluteUri;
        options.RequireHttpsMetadata = !(ssoOptions.Value.AllowInsecureLoopback && issuer.IsLoopback);
        options.ClientId = provider.ClientId;
        options.ClientSecret = provider.ClientSecret;
        options.CallbackPath = provider.CallbackPath;
    }
}

/// <summary>Handler events: the login hint, the public redirect URI, and failures logged in full but shown in plain words.</summary>
public sealed class SsoOidcEvents(ILogger<SsoOidcEvents> logger) : OpenIdConnectEvents
{
    public override Task RedirectToIdentityProvider(RedirectContext context)
    {
        if (context.Properties.Items.TryGetValue(SsoOidc.LoginHintProperty, out var hint) && !string.IsNullOrEmpty(hint)) context.ProtocolMessage.LoginHint = hint;
        if (context.HttpContext.Items[SsoOidc.SettingsItem] is SsoProviderSettings provider)
        {
            // The redirect URI the owner registered at the provider: built from App:PublicUrl when set, not from the Host header.
            context.ProtocolMessage.RedirectUri = context.HttpContext.RequestServices.GetRequiredService<Common.Http.PublicUrl>().To(provider.CallbackPath);
        }
        return Task.CompletedTask;
    }

    public override Task RemoteFailure(RemoteFailureContext context)
    {
        var failure = Classify(context.Failure);
        var organization = context.HttpContext.Items[SsoOidc.SettingsItem] is SsoProviderSettings provider ? provider.OrganizationId.ToString() : "(unknown)";
        logger.LogWarning(context.Failure, "SSO sign-in failed for organization {OrganizationId} ({Failure}): {Reason}", organization, failure, context.Failure?.Message);
        string? email = null;
        context.Properties?.Items.TryGetValue(SsoOidc.LoginHintProperty, out email);
        context.Response.Redirect(SsoSignIn.FailureUrl(failure, email));
        context.HandleResponse();
        return Task.CompletedTask;
    }

    internal static SsoFailure Classify(Exception? failure)
    {
        var message = failure?.Message ?? "";
        if (message.Contains("Correlation failed", StringComparison.OrdinalIgnoreCase) || message.Contains("state", StringComparison.OrdinalIgnoreCase)
            || message.Contains("nonce cookie", StringComparison.OrdinalIgnoreCase) || message.Contains("properties", StringComparison.OrdinalIgnoreCase))
        {
            return SsoFailure.FlowExpired;
        }
        if (message.StartsWith("Message contains error", StringComparison.Ordinal) || message.StartsWith("Access was denied", StringComparison.Ordinal)) return SsoFailure.ProviderRefused;
        if (failure is HttpRequestException or IOException or TaskCanceledException || message.Contains("IDX20803", StringComparison.Ordinal) || message.Contains("IDX20804", StringComparison.Ordinal))
        {
            return SsoFailure.ProviderUnavailable;
        }
        return SsoFailure.InvalidToken;
    }
}
