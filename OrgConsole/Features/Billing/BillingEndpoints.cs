using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrgConsole.Common;
using OrgConsole.Common.Http;

namespace OrgConsole.Features.Billing;

/// <summary>
/// The metering pipeline's ingestion endpoint (POST /api/usage, <c>Authorization: Bearer &lt;Billing:UsageIngestionKey&gt;</c>)
/// and the invoice downloads for signed-in people (PDF, CSV), which ask the same services — and so the same permission — as the pages.
/// </summary>
public static class BillingEndpoints
{
    public const string IngestionKeySetting = "Billing:UsageIngestionKey";
    public const long MaxBodyBytes = 4 * 1024 * 1024;

    private sealed record Batch([property: JsonPropertyName("records")] List<Record?>? Records);

    private sealed record Record(
        [property: JsonPropertyName("id")] string? Id,
        [property: JsonPropertyName("project_id")] string? ProjectId,
        [property: JsonPropertyName("date")] string? Date,
        [property: JsonPropertyName("metric")] string? Metric,
        [property: JsonPropertyName("quantity")] decimal? Quantity);

    public static IEndpointRouteBuilder MapBilling(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/usage", IngestAsync).AllowAnonymous().DisableAntiforgery()
            .RequireRateLimiting(RateLimitSetup.UsagePerKey)
            .WithMetadata(new ErrorShape((failure, message) => HttpError.Json(ErrorShape.StatusOf(failure),
                failure == PipelineFailure.TooManyRequests ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE", message + " Nothing was stored.")));

        app.MapGet(BillingRoutes.InvoicePdfFile, async (Guid orgId, Guid invoiceId, InvoiceService invoices, CancellationToken ct) =>
        {
            var pdf = await invoices.RenderPdfAsync(orgId, invoiceId, ct);
            return pdf.IsSuccess ? Results.File(pdf.Value.Content, "application/pdf", pdf.Value.FileName) : Refused(pdf.Error);
        }).RequireAuthorization();

        app.MapGet(BillingRoutes.InvoiceCsvFile, async (Guid orgId, Guid invoiceId, InvoiceService invoices, CancellationToken ct) =>
        {
            var csv = await invoices.RenderCsvAsync(orgId, invoiceId, ct);
            return csv.IsSuccess ? Results.File(Encoding.UTF8.GetBytes(csv.Value.Content), "text/csv", csv.Value.FileName) : Refused(csv.Error);
        }).RequireAuthorization();
        return app;
    }

    private static IResult Refused(Error error) => error.Kind switch
    {
        ErrorKind.NotFound => Results.NotFound(),
        ErrorKind.Forbidden => Results.StatusCode(StatusCodes.Status403Forbidden),
        _ => Results.BadRequest(error.Message),
    };

    private static async Task<IResult> IngestAsync(HttpContext http, UsageService usage, InvoiceService invoices, IConfiguration configuration,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var configured = configuration[IngestionKeySetting];
        if (string.IsNullOrEmpty(configured))
        {
            return HttpError.Json(StatusCodes.Status503ServiceUnavailable, "UNAVAILABLE", $"Usage ingestion is off: set {IngestionKeySetting} to enable it.");
        }
        if (!KeyMatches(http.Request.Headers.Authorization.ToString(), configured))
        {
            return HttpError.Json(StatusCodes.Status401Unauthorized, "UNAUTHENTICATED", "Send the ingestion key as 'Authorization: Bearer <key>'.");
        }
        var tooLarge = HttpError.Json(StatusCodes.Status413PayloadTooLarge, "INVALID_ARGUMENT", $"A batch is at most {MaxBodyBytes / 1024 / 1024} MB. Nothing was stored.");
        if (http.Request.ContentLength > MaxBodyBytes) return tooLarge;
        // A chunked body announces no length: read at most one byte past the limit, whatever the client sends.
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxBodyBytes + 1;
        }
        byte[]? body;
        try
        {
            body = await ReadAtMostAsync(http.Request.Body, MaxBodyBytes, ct);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null;
        }
        if (body is null) return tooLarge;

        Batch? batch;
        try
        {
            batch = JsonSerializer.Deserialize<Batch>(body);
        }
        catch (JsonException ex)
        {
            // The serializer's message names .NET types; say where the body went wrong instead.
            var where = ex.Path is { Length: > 1 } path ? $" at {path}" : "";
            var line = ex.LineNumber is { } l ? $" (line {l + 1})" : "";
            return HttpError.Json(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT",
                $"The body is not a usage batch ({{\"records\": [{{\"id\", \"project_id\", \"date\", \"metric\", \"quantity\"}}]}}): unexpected or malformed value{where}{line}. Nothing was stored.");
        }

        var records = batch?.Records?.Select(r => r is null ? null! : new UsageRecordInput(r.Id, r.ProjectId, r.Date, r.Metric, r.Quantity)).ToList();
        var result = await usage.IngestAsync(records, ct);
        if (!result.IsSuccess)
        {
            var e = result.Error;
            return e.Kind == ErrorKind.Conflict
                ? HttpError.Json(StatusCodes.Status409Conflict, "ALREADY_EXISTS", e.Message)
                : HttpError.Json(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", e.Message, e.Fields);
        }

        if (result.Value.Organizations.Count > 0)
        {
            try
            {
                await invoices.SendSpendAlertsAsync(result.Value.Organizations, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The usage is stored; the hourly billing job checks the alerts again.
                loggers.CreateLogger(typeof(BillingEndpoints)).LogWarning(ex, "Checking spend alerts after ingestion failed");
            }
        }
        return Results.Ok(new { accepted = result.Value.Accepted, duplicates = result.Value.Duplicates });
    }

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]?> ReadAtMostAsync(Stream body, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static bool KeyMatches(string header, string configured)
    {
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        return Secrets.MatchesConfigured(header[prefix.Length..].Trim(), configured);
    }
}
