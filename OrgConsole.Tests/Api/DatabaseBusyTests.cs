using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

/// <summary>
/// Another process holds SQLite's write lock longer than the busy timeout (here one second): a write answers 503 with
/// Retry-After in the endpoint's own shape (a page: "try again"), never a 500, and succeeds once the lock is gone.
/// </summary>
public sealed partial class DatabaseBusyTests : IAsyncLifetime
{
    private const string Key = "busy-ingestion-key-0123456789";
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"orgconsole-busy-{Guid.NewGuid():N}.db");
    private readonly AppFactory _app;

    public DatabaseBusyTests() => _app = AppFactory.InMemory(new Dictionary<string, string>
    {
        ["ConnectionStrings:OrgConsole"] = $"Data Source={_path};Default Timeout=1",
        ["Billing:UsageIngestionKey"] = Key,
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" }) File.Delete(file);
    }

    [Fact(Timeout = 120_000)]
    public async Task UsageIngestion_WhileTheWriteLockIsHeld_Is503WithRetryAfter_InItsErrorShape()
    {
        var client = _app.CreateClient();
        Guid project;
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync())
        {
            project = (await db.Projects.SingleAsync(p => p.Name == "Search")).Id;
        }
        var body = JsonSerializer.Serialize(new { records = new[] { new { id = "busy-1", project_id = project, date = "2026-01-01", metric = "read_units", quantity = 1 } } });

        HttpResponseMessage busy;
        await using (var holder = await HoldWriteLockAsync())
        {
            busy = await PostUsageAsync(client, body);
        }
        var afterwards = await PostUsageAsync(client, body);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Equal("5", busy.Headers.GetValues("Retry-After").Single());
        var error = (await busy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("UNAVAILABLE", error.GetProperty("code").GetString());
        Assert.Contains("try again", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task ASignIn_WhileTheWriteLockIsHeld_ShowsATryAgainPage()
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var page = await client.GetStringAsync("/Account/Login");
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value,
            ["Input.Email"] = "owner@acme.example", ["Input.Password"] = "wrong-password", ["Input.Stage"] = "password",
        });

        HttpResponseMessage response;
        await using (var holder = await HoldWriteLockAsync())
        {
            response = await client.PostAsync("/Account/Login", form);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.Contains("Retry-After"));
        Assert.Contains("Try again in a few seconds", await response.Content.ReadAsStringAsync());
    }

    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        await begin.ExecuteNonQueryAsync();
        return connection; // disposing rolls the transaction back and releases the lock
    }

    private static async Task<HttpResponseMessage> PostUsageAsync(HttpClient client, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/usage") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return await client.SendAsync(request);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
