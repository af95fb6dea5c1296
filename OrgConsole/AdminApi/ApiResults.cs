using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using OrgConsole.Common;

namespace OrgConsole.AdminApi;

/// <summary>The Admin API's error body (<c>ErrorResponse</c>): <c>{"status": 404, "error": {"code": "NOT_FOUND", "message": "…"}}</c>.</summary>
public sealed record ErrorResponse(int Status, ErrorBody Error);

public sealed record ErrorBody(string Code, string Message);

/// <summary>
/// A status with a JSON body the framework has no typed result for (its <c>Forbid</c> is a challenge and its <c>Unauthorized</c>
/// has no body). Each subclass names its status once, for the response and for the OpenAPI document.
/// </summary>
public abstract class JsonStatusResult<TValue>(TValue value, int status) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<TValue>
{
    public TValue Value { get; } = value;
    public int StatusCode { get; } = status;
    int? IStatusCodeHttpResult.StatusCode => StatusCode;
    object? IValueHttpResult.Value => Value;
    public Task ExecuteAsync(HttpContext httpContext) => JsonBody.WriteAsync(httpContext, StatusCode, Value);
}

/// <summary>403 with a JSON body.</summary>
public sealed class Forbidden<TValue>(TValue value) : JsonStatusResult<TValue>(value, StatusCodes.Status403Forbidden), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => JsonBody.Document<TValue>(builder, StatusCodes.Status403Forbidden);
}

/// <summary>401 with a JSON body.</summary>
public sealed class Unauthorized<TValue>(TValue value) : JsonStatusResult<TValue>(value, StatusCodes.Status401Unauthorized), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => JsonBody.Document<TValue>(builder, StatusCodes.Status401Unauthorized);
}

/// <summary>429 with a JSON body.</summary>
public sealed class TooManyRequests<TValue>(TValue value) : JsonStatusResult<TValue>(value, StatusCodes.Status429TooManyRequests), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => JsonBody.Document<TValue>(builder, StatusCodes.Status429TooManyRequests);
}

internal static class JsonBody
{
    public static Task WriteAsync<TValue>(HttpContext http, int status, TValue value)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(value, AdminJson.Options);
    }

    public static void Document<TValue>(EndpointBuilder builder, int status) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(TValue), ["application/json"]));
}

/// <summary>
/// Writes Admin API responses. Handlers return typed results (<c>Results&lt;Ok&lt;T&gt;, BadRequest&lt;ErrorResponse&gt;, …&gt;</c>), so the
/// OpenAPI document lists exactly the statuses an operation's code can answer. A feature service's <see cref="Error"/> becomes HTTP here,
/// in one of three shapes: <see cref="Fail{TOk}"/> (every operation: 400, 403, 404, 409), <see cref="FailCreate{TOk}"/> (creates:
/// also 422, and 409 ALREADY_EXISTS) and <see cref="FailResend{TOk}"/> (resend: the hourly email limit is 429).
/// </summary>
public static class ApiResults
{
    public static ErrorResponse Body(int status, string code, string message) => new(status, new ErrorBody(code, message));

    /// <summary>Any status in the error shape, for the gate and the pipeline (outside a handler's typed results).</summary>
    public static IResult Problem(int status, string code, string message) => Results.Json(Body(status, code, message), AdminJson.Options, statusCode: status);

    public static BadRequest<ErrorResponse> BadRequest(string message, string code = "INVALID_ARGUMENT") =>
        TypedResults.BadRequest(Body(StatusCodes.Status400BadRequest, code, message));

    public static NotFound<ErrorResponse> NotFound(string what) => TypedResults.NotFound(Body(StatusCodes.Status404NotFound, "NOT_FOUND", $"{what} was not found."));

    /// <summary>
    /// A service error as any operation answers it: Validation 400 INVALID_ARGUMENT, Forbidden 403 PERMISSION_DENIED, Quota 403
    /// QUOTA_EXCEEDED, NotFound 404, Conflict 409 with <paramref name="conflictCode"/> (ABORTED unless the operation's contract names another).
    /// </summary>
    public static Results<TOk, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>> Fail<TOk>(
        Error error, string conflictCode = "ABORTED") where TOk : IResult => error.Kind switch
    {
        ErrorKind.Validation => TypedResults.BadRequest(Body(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", error.Message)),
        ErrorKind.NotFound => TypedResults.NotFound(Body(StatusCodes.Status404NotFound, "NOT_FOUND", error.Message)),
        ErrorKind.Forbidden => Forbidden(error.Message),
        ErrorKind.Quota => QuotaExceeded(error.Message),
        ErrorKind.Conflict => Conflict(error.Message, conflictCode),
        _ => throw new InvalidOperationException($"Unmapped error kind {error.Kind}."),
    };

    /// <summary>Creates: a refused request (Validation) is 422 UNPROCESSABLE_ENTITY and a duplicate 409 ALREADY_EXISTS, as their spec lists.</summary>
    public static Results<TOk, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, UnprocessableEntity<ErrorResponse>> FailCreate<TOk>(
        Error error) where TOk : IResult => error.Kind switch
    {
        ErrorKind.Validation => TypedResults.UnprocessableEntity(Body(StatusCodes.Status422UnprocessableEntity, "UNPROCESSABLE_ENTITY", error.Message)),
        ErrorKind.NotFound => TypedResults.NotFound(Body(StatusCodes.Status404NotFound, "NOT_FOUND", error.Message)),
        ErrorKind.Forbidden => Forbidden(error.Message),
        ErrorKind.Quota => QuotaExceeded(error.Message),
        ErrorKind.Conflict => Conflict(error.Message, "ALREADY_EXISTS"),
        _ => throw new InvalidOperationException($"Unmapped error kind {error.Kind}."),
    };

    /// <summary>Resending an invite: the hourly email limit (Quota) is 429 RESOURCE_EXHAUSTED.</summary>
    public static Results<TOk, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, TooManyRequests<ErrorResponse>> FailResend<TOk>(
        Error error) where TOk : IResult => error.Kind switch
    {
        ErrorKind.Validation => TypedResults.BadRequest(Body(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", error.Message)),
        ErrorKind.NotFound => TypedResults.NotFound(Body(StatusCodes.Status404NotFound, "NOT_FOUND", error.Message)),
        ErrorKind.Forbidden => Forbidden(error.Message),
        ErrorKind.Quota => new TooManyRequests<ErrorResponse>(Body(StatusCodes.Status429TooManyRequests, "RESOURCE_EXHAUSTED", error.Message)),
        ErrorKind.Conflict => Conflict(error.Message, "ABORTED"),
        _ => throw new InvalidOperationException($"Unmapped error kind {error.Kind}."),
    };

    private static Forbidden<ErrorResponse> Forbidden(string message) => new(Body(StatusCodes.Status403Forbidden, "PERMISSION_DENIED", message));

    private static Forbidden<ErrorResponse> QuotaExceeded(string message) => new(Body(StatusCodes.Status403Forbidden, "QUOTA_EXCEEDED", message));

    private static Conflict<ErrorResponse> Conflict(string message, string code) => TypedResults.Conflict(Body(StatusCodes.Status409Conflict, code, message));

    /// <summary>
    /// Reads a JSON body: wrong JSON, wrong types, unknown or repeated fields and a missing body are all 400 INVALID_ARGUMENT,
    /// with a message that says where, never a 500. A body the server refuses to read (too large) reaches the gate, which answers it.
    /// </summary>
    public static async Task<(T? Body, BadRequest<ErrorResponse>? Error)> ReadBodyAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, BadRequest("Send the request body as JSON with Content-Type: application/json."));
        }
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, AdminJson.Options, ct);
            return body is null ? (null, BadRequest("The request body must be a JSON object.")) : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, BadRequest(Describe(ex)));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status400BadRequest)
        {
            return (null, BadRequest("The request body could not be read: " + ex.Message));
        }
    }

    private static string Describe(JsonException ex)
    {
        var path = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? null : ex.Path.TrimStart('$', '.');
        if (ex.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var start = ex.Message.IndexOf('\'');
            var end = start < 0 ? -1 : ex.Message.IndexOf('\'', start + 1);
            var field = end > start ? ex.Message[(start + 1)..end] : path;
            return $"Unknown field '{field}'. Check the field names against the API reference (snake_case).";
        }
        if (ex.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)) return "A field appears more than once in the request body.";
        return path is null
            ? "The request body is not valid JSON, or is not a JSON object."
            : $"The field '{path}' has the wrong type or an invalid value.";
    }
}
