using System.Text.Json;
using OrgConsole.Common;

namespace OrgConsole.AdminApi;

/// <summary>The Admin API's error body (<c>ErrorResponse</c>): <c>{"status": 404, "error": {"code": "NOT_FOUND", "message": "…"}}</c>.</summary>
public sealed record ErrorResponse(int Status, ErrorBody Error);

public sealed record ErrorBody(string Code, string Message);

/// <summary>How one operation reports the service errors whose HTTP form the Pinecone contract varies per operation.</summary>
public sealed record ErrorStyle(string ConflictCode = "ABORTED", int ValidationStatus = 400, int QuotaStatus = 403)
{
    public static readonly ErrorStyle Default = new();

    /// <summary>Creates whose spec lists 409 ALREADY_EXISTS for duplicates and 422 for requests the service refuses.</summary>
    public static readonly ErrorStyle Create = new(ConflictCode: "ALREADY_EXISTS", ValidationStatus: 422);

    /// <summary>Resending an invite: the hourly email limit is 429.</summary>
    public static readonly ErrorStyle Resend = new(QuotaStatus: 429);
}

/// <summary>Writes Admin API responses. <see cref="From(Error, ErrorStyle?)"/> is the one place service errors become HTTP.</summary>
public static class ApiResults
{
    public static IResult Json<T>(T body, int status = StatusCodes.Status200OK) => Results.Json(body, AdminJson.Options, statusCode: status);

    public static IResult Accepted() => Results.StatusCode(StatusCodes.Status202Accepted);

    public static IResult Problem(int status, string code, string message) =>
        Results.Json(new ErrorResponse(status, new ErrorBody(code, message)), AdminJson.Options, statusCode: status);

    public static IResult BadRequest(string message) => Problem(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", message);

    public static IResult NotFound(string what) => Problem(StatusCodes.Status404NotFound, "NOT_FOUND", $"{what} was not found.");

    /// <summary>Maps a feature service's error to its HTTP status and error code.</summary>
    public static IResult From(Error error, ErrorStyle? style = null)
    {
        style ??= ErrorStyle.Default;
        return error.Kind switch
        {
            ErrorKind.NotFound => Problem(StatusCodes.Status404NotFound, "NOT_FOUND", error.Message),
            ErrorKind.Forbidden => Problem(StatusCodes.Status403Forbidden, "PERMISSION_DENIED", error.Message),
            ErrorKind.Validation when style.ValidationStatus == StatusCodes.Status422UnprocessableEntity =>
                Problem(StatusCodes.Status422UnprocessableEntity, "UNPROCESSABLE_ENTITY", error.Message),
            ErrorKind.Validation => Problem(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", error.Message),
            ErrorKind.Conflict => Problem(StatusCodes.Status409Conflict, style.ConflictCode, error.Message),
            ErrorKind.Quota when style.QuotaStatus == StatusCodes.Status429TooManyRequests =>
                Problem(StatusCodes.Status429TooManyRequests, "RESOURCE_EXHAUSTED", error.Message),
            ErrorKind.Quota => Problem(StatusCodes.Status403Forbidden, "QUOTA_EXCEEDED", error.Message),
            _ => Problem(StatusCodes.Status500InternalServerError, "UNKNOWN", "Internal server error"),
        };
    }

    /// <summary>A value, or the error mapped by <see cref="From(Error, ErrorStyle?)"/>.</summary>
    public static IResult From<T, TWire>(Result<T> result, Func<T, TWire> toWire, int status = StatusCodes.Status200OK, ErrorStyle? style = null) =>
        result.IsSuccess ? Json(toWire(result.Value), status) : From(result.Error, style);

    /// <summary>
    /// Reads a JSON body: wrong JSON, wrong types, unknown or repeated fields and a missing body are all 400 INVALID_ARGUMENT,
    /// with a message that says where, never a 500.
    /// </summary>
    public static async Task<(T? Body, IResult? Error)> ReadBodyAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", "Send the request body as JSON with Content-Type: application/json."));
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
        catch (BadHttpRequestException ex)
        {
            return (null, Problem(ex.StatusCode, "INVALID_ARGUMENT", "The request body could not be read: " + ex.Message));
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
