using System.Net;
using Microsoft.Data.Sqlite;

namespace OrgConsole.Common.Http;

/// <summary>Refusals raised around an endpoint's handler rather than by it.</summary>
public enum PipelineFailure
{
    /// <summary>A rate limit (429).</summary>
    TooManyRequests,

    /// <summary>The database write lock stayed taken past the busy timeout (503).</summary>
    DatabaseBusy,
}

/// <summary>Endpoint metadata: how an endpoint words a <see cref="PipelineFailure"/> in its own error shape (Admin API, OAuth, usage).</summary>
public sealed record ErrorShape(Func<PipelineFailure, string, IResult> Write)
{
    public static int StatusOf(PipelineFailure failure) => failure == PipelineFailure.TooManyRequests
        ? StatusCodes.Status429TooManyRequests
        : StatusCodes.Status503ServiceUnavailable;
}

/// <summary>
/// A write that waited for the database's write lock longer than the busy timeout is not a bug: the answer is
/// 503 with <c>Retry-After</c> in the endpoint's own error shape (pages: a "try again" page), never a 500.
/// </summary>
public static class DatabaseBusy
{
    public const int RetryAfterSeconds = 5;
    public const string Message = "The database is busy with other changes. Nothing was changed; try again in a few seconds.";

    /// <summary>SQLite's SQLITE_BUSY (5) or SQLITE_LOCKED (6), however deeply EF Core wrapped it.</summary>
    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: 5 or 6 }) return true;
        }
        return false;
    }

    public static IApplicationBuilder UseDatabaseBusyResponse(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next();
        }
        catch (Exception ex) when (Is(ex) && !context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseBusy))
                .LogWarning("{Method} {Path} answered 503: the database stayed locked past the busy timeout", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var shape = context.GetEndpoint()?.Metadata.GetMetadata<ErrorShape>();
            var result = shape?.Write(PipelineFailure.DatabaseBusy, Message) ?? Results.Content(Page, "text/html; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
            await result.ExecuteAsync(context);
        }
    });

    private static readonly string Page =
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Try again · OrgConsole</title></head><body>" +
        "<main><h1>Try again in a few seconds</h1><p>" + WebUtility.HtmlEncode(Message) + "</p>" +
        "<p><a href=\"javascript:history.back()\">Go back</a> and submit again.</p></main></body></html>";
}
