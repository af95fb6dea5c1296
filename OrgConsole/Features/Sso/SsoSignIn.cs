using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Common;
using OrgConsole.Access;
using OrgConsole.Data;

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
    EmailNotVerified,
    AlreadyLinked,
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
        SsoFailure.EmailNotVerified => "Your identity provider says your email address is not verified, so it cannot be matched to an account. Verify it at your provider, or ask your organization's owner.",
        SsoFailure.AlreadyLinked => "An account with this email is already linked to a different identity at your organization's provider, so you were not signed in to it. Ask your organization's owner or support.",
        _ => "Single sign-on failed.",
    };
}

/// <summary>
/// Single sign-on through ASP.NET Core's OpenID Connect handler (code flow, PKCE, state, nonce, UserInfo — see
/// <see cref="SsoOidc"/>): <c>/sso/start</c> challenges the provider of the email's verified domain; the handler
/// validates the answer on <c>/sso/callback/{org}</c> into the external cookie; <c>/sso/complete</c> links the
/// identity by (issuer, subject), provisions, and signs the person in.
/// </summary>
public sealed class SsoSignIn(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    SsoService settings,
    SsoProvisioning provisioning,
    SignInManager<ApplicationUser> signInManager,
    ILogger<SsoSignIn> logger)
{
    public const string StartPath = "/sso/start";
    public const string CompletePath = "/sso/complete";

    /// <summary>Where "Continue with SSO" goes for an email.</summary>
    public static string StartUrl(string email, string? returnUrl) =>
        $"{StartPath}?email={Uri.EscapeDataString(email)}" + (string.IsNullOrEmpty(returnUrl) ? "" : $"&returnUrl={Uri.EscapeDataString(returnUrl)}");

    public static string FailureUrl(SsoFailure failure, string? email = null) =>
        $"/Account/Login?sso_error={SsoFailures.Code(failure)}" + (string.IsNullOrEmpty(email) ? "" : $"&email={Uri.EscapeDataString(email)}");

    /// <summary>The organization's provider with its secret in clear, or null when SSO is not usable for it.</summary>
    public async Task<SsoProviderSettings?> LoadProviderAsync(Guid organizationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var connection = await (
            from c in db.Set<SsoConnection>().AsNoTracking()
            join o in db.Organizations on c.OrganizationId equals o.Id
            where c.OrganizationId == organizationId && o.DeletedAt == null && o.Plan == Plan.Enterprise
            select c).FirstOrDefaultAsync(ct);
        if (connection is null) return null;
        try
        {
            return new SsoProviderSettings(connection.OrganizationId, connection.Version, connection.Issuer, connection.ClientId, settings.UnprotectSecret(connection));
        }
        catch (CryptographicException e)
        {
            logger.LogError(e, "The SSO client secret of organization {OrganizationId} cannot be decrypted (key ring lost?)", organizationId);
            return null;
        }
    }

    /// <summary>Sends the browser to the provider of the email's organization (selected by <see cref="SsoOidc.UseSsoProviderSelection"/>).</summary>
    public async Task BeginAsync(HttpContext http, string? email, string? returnUrl)
    {
        if (http.Items[SsoOidc.SettingsItem] is not SsoProviderSettings provider)
        {
            http.Response.Redirect(FailureUrl(SsoFailure.NotConfigured, email));
            return;
        }
        var properties = new AuthenticationProperties
        {
            RedirectUri = CompletePath + (IsLocal(returnUrl) ? "?returnUrl=" + Uri.EscapeDataString(returnUrl!) : ""),
        };
        properties.Items[SsoOidc.OrganizationProperty] = provider.OrganizationId.ToString();
        properties.Items[SsoOidc.LoginHintProperty] = email?.Trim();
        try
        {
            await http.ChallengeAsync(SsoOidc.Scheme, properties);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or TaskCanceledException)
        {
            // Discovery failed: the handler could not learn where the provider's authorization endpoint is.
            logger.LogWarning(e, "SSO discovery failed for organization {OrganizationId}: {Reason}", provider.OrganizationId, e.Message);
            http.Response.Redirect(FailureUrl(SsoFailure.ProviderUnavailable, email));
        }
    }

    /// <summary>After the handler validated the provider's answer: links or provisions the account and signs it in.</summary>
    public async Task<string> CompleteAsync(HttpContext http, string? returnUrl, CancellationToken ct = default)
    {
        var external = await http.AuthenticateAsync(IdentityConstants.ExternalScheme);
        await http.SignOutAsync(IdentityConstants.ExternalScheme);
        if (!external.Succeeded || external.Principal is not { } principal || external.Properties is null
            || !external.Properties.Items.TryGetValue(SsoOidc.OrganizationProperty, out var org) || !Guid.TryParse(org, out var organizationId))
        {
            return FailureUrl(SsoFailure.FlowExpired);
        }
        external.Properties.Items.TryGetValue(SsoOidc.LoginHintProperty, out var hint);
        var provider = await LoadProviderAsync(organizationId, ct);
        if (provider is null) return FailureUrl(SsoFailure.NotConfigured, hint);

        var subject = principal.FindFirst("sub");
        if (subject is null || string.IsNullOrEmpty(subject.Value))
        {
            logger.LogWarning("SSO sign-in for organization {OrganizationId}: the provider's identity has no subject", organizationId);
            return FailureUrl(SsoFailure.InvalidToken, hint);
        }
        if (!SsoRules.SameIssuer(subject.Issuer, provider.Issuer))
        {
            logger.LogWarning("SSO sign-in for organization {OrganizationId}: the token's issuer {Actual} is not the configured {Expected}", organizationId, subject.Issuer, provider.Issuer);
            return FailureUrl(SsoFailure.InvalidToken, hint);
        }
        var email = principal.FindFirst("email")?.Value;
        var verifiedClaim = principal.FindFirst("email_verified")?.Value;
        bool? emailVerified = verifiedClaim is null ? null : !string.Equals(verifiedClaim, "false", StringComparison.OrdinalIgnoreCase);
        var identity = new SsoIdentity(provider.Issuer, subject.Value, email, emailVerified, principal.FindFirst("name")?.Value);

        var admitted = await provisioning.AdmitAsync(organizationId, identity,
            http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString(), ct);
        if (!admitted.IsSuccess)
        {
            var error = admitted.Error;
            var failure = error.Kind switch
            {
                ErrorKind.NotFound => SsoFailure.NotConfigured,
                ErrorKind.Forbidden => SsoFailure.LockedOut,
                ErrorKind.Conflict => SsoFailure.AlreadyLinked,
                _ when error.For("EmailVerified") is not null => SsoFailure.EmailNotVerified,
                _ => SsoFailure.EmailNotCovered,
            };
            logger.LogWarning("SSO sign-in for organization {OrganizationId} refused ({Failure}): {Reason}", organizationId, failure, error.Message);
            return FailureUrl(failure, hint);
        }

        var user = await signInManager.UserManager.FindByIdAsync(admitted.Value.UserId);
        if (user is null) return FailureUrl(SsoFailure.NotConfigured, hint);
        await signInManager.SignInAsync(user, isPersistent: false, authenticationMethod: "sso");
        return IsLocal(returnUrl) ? returnUrl! : Organizations.OrganizationRoutes.Overview(organizationId);
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
