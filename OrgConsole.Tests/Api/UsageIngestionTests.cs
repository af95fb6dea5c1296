using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

/// <summary>POST /api/usage over HTTP: the metering pipeline's key, idempotency, and bad batches that store nothing.</summary>
public class UsageIngestionTests : IAsyncLifetime
{
    private const string Key = "test-ingestion-key-0123456789";
    private readonly AppFactory _app = AppFactory.InMemory(new Dictionary<string, string> { ["Billing:UsageIngestionKey"] = Key });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(Guid ProjectId, int Stored)> SearchProjectAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        var project = await db.Projects.SingleAsync(p => p.Name == "Search");
        return (project.Id, await db.UsageRecords.CountAsync());
    }

    private async Task<HttpResponseMessage> PostAsync(string body, string? key = Key)
    {
        var client = _app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/usage") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await client.SendAsync(request);
    }

    private static string Batch(params object[] records) => JsonSerializer.Serialize(new { records });

    [Fact(Timeout = 120_000)]
    public async Task WithoutTheKey_IsUnauthorized()
    {
        var (project, _) = await SearchProjectAsync();
        var body = Batch(new { id = "k1", project_id = project, date = "2026-01-01", metric = "read_units", quantity = 1 });

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(body, key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(body, key: "wrong")).StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task TheSameBatchTwice_IsStoredOnce()
    {
        var (project, before) = await SearchProjectAsync();
        var day = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd");
        var body = Batch(
            new { id = "http-1", project_id = project, date = day, metric = "read_units", quantity = 1200 },
            new { id = "http-2", project_id = project, date = day, metric = "storage_gb_hours", quantity = 24.5m });

        var first = await PostAsync(body);
        var second = await PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var firstBody = await first.Content.ReadFromJsonAsync<JsonElement>();
        var secondBody = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((2, 0), (firstBody.GetProperty("accepted").GetInt32(), firstBody.GetProperty("duplicates").GetInt32()));
        Assert.Equal((0, 2), (secondBody.GetProperty("accepted").GetInt32(), secondBody.GetProperty("duplicates").GetInt32()));
        Assert.Equal(before + 2, (await SearchProjectAsync()).Stored);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("{\"records\": [", "not a usage batch")]
    [InlineData("{\"records\": [{\"id\": \"x\", \"quantity\": \"lots\"}]}", "not a usage batch")]
    [InlineData("{\"records\": []}", "no records")]
    [InlineData("[1, 2, 3]", "not a usage batch")]
    public async Task MalformedBodies_AreRefusedWithAClearMessage_NeverA500(string body, string message)
    {
        var (_, before) = await SearchProjectAsync();

        var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("code").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString());
        Assert.Equal(before, (await SearchProjectAsync()).Stored);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("{\"records\": [{\"id\": \"x\", \"quantity\": \"lots\"}]}")]
    [InlineData("{\"records\": [{\"id\": 5}]}")]
    [InlineData("{\"records\": \"all of them\"}")]
    public async Task MalformedBodies_AreExplainedWithoutNamingInternalTypes(string body)
    {
        var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("$.records", message);
        Assert.DoesNotContain("System.", message);
        Assert.DoesNotContain("OrgConsole", message);
        Assert.DoesNotContain("Nullable", message);
    }

    [Fact(Timeout = 120_000)]
    public async Task AChunkedBodyOverTheLimit_IsRefusedInTheDocumentedShape_AndStoresNothing()
    {
        var (project, before) = await SearchProjectAsync();
        var record = JsonSerializer.Serialize(new { id = "big", project_id = project, date = "2026-01-01", metric = "read_units", quantity = 1 });
        var client = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/usage")
        {
            Content = new ChunkedContent(async stream =>
            {
                // 25 MB of valid records, sent without a Content-Length.
                await stream.WriteAsync(Encoding.UTF8.GetBytes("{\"records\": [" + record));
                var more = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("," + record, 1000)));
                for (long sent = 0; sent < 25L * 1024 * 1024; sent += more.Length) await stream.WriteAsync(more);
                await stream.WriteAsync(Encoding.UTF8.GetBytes("]}"));
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("code").GetString());
        Assert.Contains("at most 4 MB", error.GetProperty("message").GetString());
        Assert.Equal(before, (await SearchProjectAsync()).Stored);
    }

    /// <summary>A body of unknown length: HttpClient sends it chunked.</summary>
    private sealed class ChunkedContent(Func<Stream, Task> write) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => write(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ABatchWithANegativeRecord_StoresNothing_AndSaysWhichRecord()
    {
        var (project, before) = await SearchProjectAsync();
        var day = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd");

        var response = await PostAsync(Batch(
            new { id = "neg-ok", project_id = project, date = day, metric = "read_units", quantity = 5 },
            new { id = "neg-bad", project_id = project, date = day, metric = "write_units", quantity = -3 }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("quantity cannot be negative.", error.GetProperty("details").GetProperty("records[1].quantity").GetString());
        Assert.Equal(before, (await SearchProjectAsync()).Stored);
    }

    [Fact(Timeout = 120_000)]
    public async Task InvoiceDownloads_NeedASignedInMember()
    {
        var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync($"/orgs/{Guid.NewGuid()}/billing/invoices/{Guid.NewGuid()}.pdf");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.ToString());
    }
}
