using OrgConsole.Common.Http;

namespace OrgConsole.Features.ApiKeys;

/// <summary>
/// The one endpoint that accepts an API key today: it says which key was presented, so "last used" and revocation
/// are real. Keys travel in the <c>Api-Key</c> header, as Pinecone's clients send them.
/// </summary>
public static class ApiKeyEndpoints
{
    public const string HeaderName = "Api-Key";

    public static IEndpointRouteBuilder MapApiKeyCheck(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/keys/whoami", async (HttpContext http, ApiKeyService keys, CancellationToken ct) =>
        {
            var identity = await keys.VerifyAsync(http.Request.Headers[HeaderName].ToString(), ct);
            return identity is null
                ? HttpError.Json(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED", "Missing, malformed, unknown or revoked API key.")
                : Results.Ok(new
                {
                    key_id = identity.KeyId,
                    name = identity.Name,
                    project_id = identity.ProjectId,
                    organization_id = identity.OrganizationId,
                    roles = identity.Roles.Select(r => r.ToString()),
                });
        }).AllowAnonymous().DisableAntiforgery();
        return app;
    }
}
