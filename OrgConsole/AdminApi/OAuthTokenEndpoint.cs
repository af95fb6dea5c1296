using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrgConsole.Access;
using OrgConsole.Common.Http;
using OrgConsole.Features.Audit;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole.AdminApi;

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

public sealed record OAuthError(string Error, string ErrorDescription);

/// <summary>
/// <c>POST /oauth/token</c> (OAuth 2.0 client credentials, Pinecone's oauth API in every version of <see cref="ApiVersions"/>): client_id, client_secret,
/// grant_type=client_credentials and audience, as JSON or a form. Errors use the OAuth shape, not the Admin API's.
/// </summary>
public static class OAuthTokenEndpoint
{
    public const string Path = "/oauth/token";
    private static readonly string[] Fields = ["client_id", "client_secret", "grant_type", "audience"];

    public static IEndpointRouteBuilder MapOAuthToken(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, IssueAsync)
            .AllowAnonymous().DisableAntiforgery()
            .RequireRateLimiting(RateLimitSetup.TokenPerAddress)
            .WithMetadata(new ErrorShape((failure, message) => Error(ErrorShape.StatusOf(failure),
                failure == PipelineFailure.TooManyRequests ? "too_many_requests" : "temporarily_unavailable", message)))
            .WithTags("OAuth").WithName("get_token").WithSummary("Get an access token for a service account")
            .Accepts<TokenRequestDoc>("application/json", "application/x-www-form-urlencoded")
            // The pipeline's answer when the database is busy (the handler's own answers come from its typed results).
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(OAuthError), ["application/json"]));
        // A body of any other type would otherwise meet routing's bare 415 (an HTML page in the console); this
        // lower-priority twin answers it in the OAuth error shape instead.
        app.MapPost(Path, (HttpContext http) =>
            {
                ApiVersions.Negotiate(http);
                return Invalid("Send the body as application/json or application/x-www-form-urlencoded.");
            })
            .WithOrder(1).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    /// <summary>The request's shape, for the OpenAPI document (the handler reads the body itself to answer bad input in OAuth form).</summary>
    public sealed record TokenRequestDoc(string ClientId, string ClientSecret, string GrantType, string Audience);

    public static async Task<Results<Ok<TokenResponse>, BadRequest<OAuthError>, Unauthorized<OAuthError>, Forbidden<OAuthError>, TooManyRequests<OAuthError>>> IssueAsync(
        HttpContext http, ServiceAccountService accounts, AccessTokens tokens, AuditLog audit, IOptions<AdminApiOptions> options, RateLimiters limits, CancellationToken ct)
    {
        if (ApiVersions.Negotiate(http) is { } versionError) return Invalid(versionError);
        var (fields, readError) = await ReadFieldsAsync(http.Request, ct);
        if (readError is not null) return Invalid(readError);
        var missing = Fields.Where(f => string.IsNullOrEmpty(fields!.GetValueOrDefault(f))).ToList();
        if (missing.Count > 0) return Invalid($"Missing {string.Join(", ", missing)}.");
        if (fields!["grant_type"] != "client_credentials")
        {
            return TypedResults.BadRequest(new OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is supported."));
        }
        var audience = fields["audience"];
        if (!options.Value.Audiences.Contains(audience, StringComparer.Ordinal))
        {
            return Invalid($"Unknown audience. Use {string.Join(" or ", options.Value.Audiences)}.");
        }

        var limit = limits.TryAcquire((RateLimit.TokenPerClient, fields["client_id"]));
        if (!limit.Allowed)
        {
            limit.Apply(http.Response);
            return TooManyRequests(limit);
        }

        var authenticated = await accounts.AuthenticateAsync(fields["client_id"], fields["client_secret"], ct);
        if (!authenticated.IsSuccess) return Refused(authenticated.Error);
        var account = authenticated.Value;

        var token = await tokens.IssueAsync(account, audience, ct);
        var actor = new Actor(ActorType.ServiceAccount, account.Id.ToString(), account.Name)
        {
            IpAddress = http.Connection.RemoteIpAddress?.ToString(),
            UserAgent = http.Request.Headers.UserAgent.ToString(),
        };
        await audit.AppendBatchedAsync(actor, account.OrganizationId,
            new AuditEntry("service_account.token_issued", "service_account", account.Id.ToString(), After: new { ExpiresIn = tokens.LifetimeSeconds }), ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new TokenResponse(token, "Bearer", tokens.LifetimeSeconds));
    }

    private static async Task<(Dictionary<string, string>? Fields, string? Error)> ReadFieldsAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(ct);
                if (form.Keys.Any(k => form[k].Count > 1)) return (null, "Each field may appear once.");
                return (form.Keys.Where(k => Fields.Contains(k)).ToDictionary(k => k, k => form[k].ToString()), null);
            }
            if (!request.HasJsonContentType()) return (null, "Send the body as application/json or application/x-www-form-urlencoded.");
            using var doc = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false }, ct);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, "The body must be a JSON object.");
            var fields = new Dictionary<string, string>();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!Fields.Contains(property.Name)) continue; // RFC 6749 §3.2: unrecognized parameters (scope, …) are ignored
                if (property.Value.ValueKind != JsonValueKind.String) return (null, $"{property.Name} must be a string.");
                fields[property.Name] = property.Value.GetString()!;
            }
            return (fields, null);
        }
        catch (JsonException)
        {
            return (null, "The body is not valid JSON.");
        }
        catch (InvalidDataException)
        {
            return (null, "The form body could not be read.");
        }
        catch (BadHttpRequestException ex)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>
    /// A refusal of the credentials in OAuth form: the plan gate (valid credentials, but the plan no longer includes service
    /// accounts) is 403 access_denied with the plan gate's one message, as the Admin API's QUOTA_EXCEEDED carries it; any other
    /// refusal is 401 invalid_client.
    /// </summary>
    private static Results<Ok<TokenResponse>, BadRequest<OAuthError>, Unauthorized<OAuthError>, Forbidden<OAuthError>, TooManyRequests<OAuthError>> Refused(Common.Error error) =>
        error.IsPlanGate
            ? new Forbidden<OAuthError>(new OAuthError("access_denied", error.Message))
            : new Unauthorized<OAuthError>(new OAuthError("invalid_client", error.Message));

    private static TooManyRequests<OAuthError> TooManyRequests(RateLimitDecision limit) =>
        new(new OAuthError("too_many_requests", $"Too many token requests. Try again in {limit.RetryAfterSeconds} seconds."));

    private static BadRequest<OAuthError> Invalid(string description) => TypedResults.BadRequest(new OAuthError("invalid_request", description));

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new OAuthError(error, description), AdminJson.Options, statusCode: status);
}
