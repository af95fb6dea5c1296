using Microsoft.AspNetCore.Diagnostics;
using OrgConsole.Access;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole.AdminApi;

/// <summary>The service account a request to /admin/* acts as, from its bearer token.</summary>
public sealed record AdminCaller(Guid ServiceAccountId, Guid OrganizationId, string Name);

/// <summary>
/// Guards every /admin/* request: the API version (<see cref="ApiVersions"/>), then the bearer token (signature, expiry, the account still
/// existing with the same secret stamp); sets the request's actor to the service account, so the feature services'
/// one authorizer and audit trail apply; and answers any failure — even an unexpected one — in the ErrorResponse shape.
/// </summary>
public sealed class AdminApiGate(RequestDelegate next, ILogger<AdminApiGate> logger)
{
    public async Task InvokeAsync(HttpContext http, AccessTokens tokens, ServiceAccountService accounts, ActorAccessor actors, Authorizer authorizer)
    {
        // Failures here are answered as JSON; the console's HTML status pages must not replace them.
        if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } statusPages) statusPages.Enabled = false;
        try
        {
            if (ApiVersions.Negotiate(http) is { } versionError)
            {
                await ApiResults.BadRequest(versionError).ExecuteAsync(http);
                return;
            }
            var account = await AuthenticateAsync(http, tokens, accounts);
            if (account is null)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                await ApiResults.Problem(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED",
                    "Missing, invalid or expired access token. Get one from POST /oauth/token and send it in the Authorization header as Bearer followed by the token.").ExecuteAsync(http);
                return;
            }
            var caller = new AdminCaller(account.Id, account.OrganizationId, account.Name);
            http.Items[typeof(AdminCaller)] = caller;
            actors.Current = new Actor(ActorType.ServiceAccount, caller.ServiceAccountId.ToString(), caller.Name)
            {
                IpAddress = http.Connection.RemoteIpAddress?.ToString(),
                UserAgent = http.Request.Headers.UserAgent.ToString(),
            };
            // The account's organization roles came with it: the operation's first access check uses them, not a second read.
            authorizer.UseForFirstCheck(account.Membership);
            await next(http);
            if (http.Response.HasStarted) return;
            if (http.Response.StatusCode == StatusCodes.Status415UnsupportedMediaType)
            {
                // Routing refused the body's content type before any handler ran; say so in the API's error shape.
                await ApiResults.BadRequest("Send the request body as JSON with Content-Type: application/json.").ExecuteAsync(http);
            }
            else if (http.Response.StatusCode == StatusCodes.Status404NotFound && http.GetEndpoint() is null)
            {
                await ApiResults.Problem(StatusCodes.Status404NotFound, "NOT_FOUND",
                    $"There is no operation {http.Request.Method} {http.Request.Path}. See {AdminApiSetup.DocumentPath}.").ExecuteAsync(http);
            }
        }
        catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
        {
            http.Response.Clear();
            ApiVersions.Negotiate(http);
            await ApiResults.Problem(ex.StatusCode, "INVALID_ARGUMENT", "The request could not be read: " + ex.Message).ExecuteAsync(http);
        }
        catch (Exception ex) when (!http.Response.HasStarted && ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Admin API request {Method} {Path} failed", http.Request.Method, http.Request.Path);
            http.Response.Clear();
            ApiVersions.Negotiate(http);
            await ApiResults.Problem(StatusCodes.Status500InternalServerError, "UNKNOWN", "Internal server error").ExecuteAsync(http);
        }
    }

    private static async Task<ActiveServiceAccount?> AuthenticateAsync(HttpContext http, AccessTokens tokens, ServiceAccountService accounts)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var claims = await tokens.ReadAsync(header["Bearer ".Length..].Trim(), http.RequestAborted);
        if (claims is null) return null;
        var account = await accounts.FindActiveAsync(claims.ServiceAccountId, claims.SecretStamp, http.RequestAborted);
        return account is null || account.OrganizationId != claims.OrganizationId ? null : account;
    }
}
