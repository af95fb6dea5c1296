namespace OrgConsole.Common.Http;

/// <summary>
/// The one error body of the HTTP endpoints outside the Admin API (usage ingestion, the API key check):
/// <c>{"error":{"code":…,"message":…,"details":{…}}}</c>, the Admin API's shape (which its own ApiResults writes).
/// Nulls are omitted by the app's JSON options.
/// </summary>
public static class HttpError
{
    public static IResult Json(int status, string code, string message, IReadOnlyDictionary<string, string>? details = null) =>
        Results.Json(new { error = new { code, message, details } }, statusCode: status);
}
