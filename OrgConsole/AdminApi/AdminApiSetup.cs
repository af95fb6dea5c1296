using Microsoft.AspNetCore.Http.HttpResults;
using OrgConsole.Access;

namespace OrgConsole.AdminApi;

/// <summary>The Pinecone-compatible Admin API (/admin/*), its OAuth token endpoint, and its OpenAPI document and reference page.</summary>
public static class AdminApiSetup
{
    public const string DocumentName = "admin";
    public const string DocumentPath = "/openapi/admin.json";

    public static IServiceCollection AddAdminApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AdminApiOptions>(configuration.GetSection("AdminApi"));
        services.AddSingleton<Common.SigningKeyStore>();
        services.AddSingleton<AccessTokens>();
        // Minimal APIs (and the OpenAPI schemas generated from them) use the Admin API's JSON conventions.
        services.ConfigureHttpJsonOptions(o => AdminJson.Configure(o.SerializerOptions));
        services.AddOpenApi(DocumentName, o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "OrgConsole Admin API";
            document.Info.Version = ApiVersions.Latest.Name;
            document.Info.Description = $"Wire-compatible with Pinecone's Admin API versions {ApiVersions.SupportedList} (the same models). Get a token from " +
                                        "POST /oauth/token with a service account's client credentials, then send it as Authorization: Bearer <token> with " +
                                        $"{ApiVersions.Header}: {ApiVersions.Latest.Name}. Without the header, {ApiVersions.Oldest.Name} answers; every response names its version in that header.";
            return Task.CompletedTask;
        }));
        return services;
    }

    /// <summary>Guards /admin/* (version header, bearer token, actor, error shape). Call after the actor middleware.</summary>
    public static IApplicationBuilder UseAdminApi(this IApplicationBuilder app) =>
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/admin"), branch => branch.UseMiddleware<AdminApiGate>());

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapOAuthToken();
        var admin = app.MapGroup("/admin").AllowAnonymous().DisableAntiforgery()
            .WithMetadata(new Common.Http.ErrorShape((failure, message) => ApiResults.Problem(Common.Http.ErrorShape.StatusOf(failure),
                failure == Common.Http.PipelineFailure.TooManyRequests ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE", message)))
            // What the gate (not a handler) answers for every operation: no valid token, or an unexpected failure.
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ErrorResponse), ["application/json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status500InternalServerError, typeof(ErrorResponse), ["application/json"]));
        admin.MapProjectsApi();
        admin.MapOrganizationsApi();
        admin.MapApiKeysApi();
        admin.MapUsersApi();
        admin.MapInvitesApi();
        admin.MapServiceAccountsApi();
        admin.MapRoleBindingsApi();
        // Anything else under /admin is answered by the gate in the API's error shape (no catch-all route here: one would
        // also outrank routing's 415 for a known operation sent a body that is not JSON).
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return app;
    }

    public static AdminCaller Caller(this HttpContext http) =>
        http.Items[typeof(AdminCaller)] as AdminCaller ?? throw new InvalidOperationException("The Admin API gate did not run for this request.");

    /// <summary>Parses a path id that the spec declares as a UUID; a malformed one is a 400 that names the parameter.</summary>
    public static bool TryId(string raw, string name, out Guid id, out BadRequest<ErrorResponse>? error)
    {
        error = null;
        if (raw.Length <= 64 && Guid.TryParse(raw, out id)) return true;
        id = Guid.Empty;
        error = ApiResults.BadRequest($"{name} must be a UUID, e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6.");
        return false;
    }

    public static string ResourceType(Guid? projectId) => projectId is null ? "organization" : "project";

    public static Role[] ProjectScopedRoles => [.. Roles.ProjectRoles];
}
