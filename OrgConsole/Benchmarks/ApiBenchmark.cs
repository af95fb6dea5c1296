using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Projects;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole.Benchmarks;

/// <summary>
/// <c>dotnet run --project OrgConsole -c Release -- benchmark api</c>: the Admin API's <c>GET /admin/projects</c> and
/// <c>POST /oauth/token</c> on the whole app (Production pipeline, Kestrel, a fresh SQLite file), each beside a control —
/// a minimal ASP.NET Core endpoint in the same process returning the same JSON — at 32 concurrent connections.
/// Prints requests per second, p50 and p99 of each, and the ratio to the control.
/// </summary>
public static class ApiBenchmark
{
    private const string Version = "2026-04";
    private const string Audience = "https://api.pinecone.io/";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var connections = IntOption(args, "--connections", 32);
        var seconds = IntOption(args, "--seconds", 10);
        var projects = IntOption(args, "--projects", 10);
        var dir = Directory.CreateTempSubdirectory("orgconsole-api-bench-").FullName;
        try
        {
            output.WriteLine($"Starting OrgConsole (Production pipeline, SQLite in {dir}) and the control endpoint ...");
            await using var app = await StartAppAsync(dir);
            var (clientId, secret) = await SeedAsync(app, projects);
            var appUrl = Address(app);

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                Timeout = TimeSpan.FromSeconds(30),
            };
            var tokenBody = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["client_id"] = clientId, ["client_secret"] = secret, ["grant_type"] = "client_credentials", ["audience"] = Audience,
            });
            HttpRequestMessage TokenRequest(string baseUrl)
            {
                var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + "/oauth/token") { Content = new StringContent(tokenBody, Encoding.UTF8, "application/json") };
                request.Headers.Add("X-Pinecone-Api-Version", Version);
                return request;
            }
            var tokenResponse = await http.SendAsync(TokenRequest(appUrl));
            tokenResponse.EnsureSuccessStatusCode();
            var tokenJson = await tokenResponse.Content.ReadAsStringAsync();
            var token = JsonDocument.Parse(tokenJson).RootElement.GetProperty("access_token").GetString()!;
            HttpRequestMessage ProjectsRequest(string baseUrl)
            {
                var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/admin/projects");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.Add("X-Pinecone-Api-Version", Version);
                return request;
            }
            var projectsResponse = await http.SendAsync(ProjectsRequest(appUrl));
            projectsResponse.EnsureSuccessStatusCode();
            var projectsJson = await projectsResponse.Content.ReadAsStringAsync();

            // The control: the same JSON, serialized per request by a minimal endpoint (no auth, no database).
            await using var control = await StartControlAsync(JsonNode.Parse(projectsJson)!, JsonNode.Parse(tokenJson)!);
            var controlUrl = Address(control);
            var controlProjects = await (await http.SendAsync(ProjectsRequest(controlUrl))).Content.ReadAsStringAsync();
            if (JsonNode.Parse(controlProjects)!.ToJsonString() != JsonNode.Parse(projectsJson)!.ToJsonString())
            {
                output.WriteLine("The control's JSON differs from the Admin API's — benchmark invalid.");
                return 1;
            }

            output.WriteLine($"{projects} projects; {connections} connections; {seconds} s per case after a {Math.Max(1, seconds / 3)} s warm-up.");
            output.WriteLine();
            output.WriteLine($"{"case",-28} {"req/s",9} {"p50",9} {"p99",9}   {"control req/s",13} {"p50",8} {"p99",8} {"ratio",7}  target");
            var allMet = true;
            foreach (var (name, request, target) in new (string, Func<string, HttpRequestMessage>, Func<Run, Run, (bool, string)>)[]
            {
                ("GET /admin/projects", ProjectsRequest, (api, ctl) => (api.PerSecond >= 0.25 * ctl.PerSecond, "≥ 0.25× control")),
                ("POST /oauth/token", TokenRequest, (api, _) => (api.P99 <= 50, "p99 ≤ 50 ms")),
            })
            {
                var ctl = await LoadAsync(http, () => request(controlUrl), connections, seconds);
                var api = await LoadAsync(http, () => request(appUrl), connections, seconds);
                var (met, label) = target(api, ctl);
                allMet &= met;
                output.WriteLine($"{name,-28} {api.PerSecond,9:N0} {api.P50,7:F1}ms {api.P99,7:F1}ms   {ctl.PerSecond,13:N0} {ctl.P50,6:F1}ms {ctl.P99,6:F1}ms {api.PerSecond / ctl.PerSecond,6:F2}×  {label}: {(met ? "met" : "MISSED")}"
                                 + (api.Failures > 0 ? $"  ({api.Failures} failed requests)" : ""));
            }
            var batches = app.Services.GetRequiredService<AuditBatchWriter>();
            output.WriteLine();
            output.WriteLine($"Token audit events: {batches.Events:N0} in {batches.Batches:N0} transactions ({(double)batches.Events / Math.Max(1, batches.Batches):F1} per transaction).");
            output.WriteLine(allMet ? "Every case met its target." : "Some cases missed their target (see above).");
            await control.StopAsync();
            await app.StopAsync();
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record Run(double PerSecond, double P50, double P99, int Failures);

    /// <summary><paramref name="connections"/> loops sending requests back to back: a warm-up, then the measured window.</summary>
    private static async Task<Run> LoadAsync(HttpClient http, Func<HttpRequestMessage> request, int connections, int seconds)
    {
        await LoopAsync(http, request, connections, TimeSpan.FromSeconds(Math.Max(1, seconds / 3)));
        return await LoopAsync(http, request, connections, TimeSpan.FromSeconds(seconds));
    }

    private static async Task<Run> LoopAsync(HttpClient http, Func<HttpRequestMessage> request, int connections, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var failures = 0;
        var latencies = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            var mine = new List<double>(4096);
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request());
                await response.Content.CopyToAsync(Stream.Null);
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return mine;
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Run(all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), failures);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static async Task<WebApplication> StartAppAsync(string dir)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:OrgConsole"] = $"Data Source={Path.Combine(dir, "orgconsole.db")}",
            ["App:PublicUrl"] = "http://127.0.0.1/",
            ["Email:AllowOutboxInProduction"] = "true",
            ["AdminApi:TokenSigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["DataProtection:KeysPath"] = Path.Combine(dir, "keys"),
            ["Audit:ChainKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Audit:CheckpointPath"] = Path.Combine(dir, "audit-checkpoints.log"),
            // The benchmark client is one address and one client id: lift the per-address and per-client token limits.
            ["RateLimits:TokenPerAddress:PermitLimit"] = "100000000",
            ["RateLimits:TokenPerClient:PermitLimit"] = "100000000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddOrgConsole(builder.Configuration, builder.Environment);
        var app = builder.Build();
        await app.PrepareDatabaseAsync();
        app.UseOrgConsole();
        await app.StartAsync();
        return app;
    }

    private static async Task<WebApplication> StartControlAsync(JsonNode projects, JsonNode token)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/admin/projects", () => Results.Json(projects));
        app.MapPost("/oauth/token", () => Results.Json(token));
        await app.StartAsync();
        return app;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>An Enterprise organization with its owner, <paramref name="projects"/> projects and an Org Owner service account.</summary>
    private static async Task<(string ClientId, string Secret)> SeedAsync(WebApplication app, int projects)
    {
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>();
        var now = DateTime.UtcNow;
        var owner = new ApplicationUser
        {
            UserName = "owner@bench.example", NormalizedUserName = "OWNER@BENCH.EXAMPLE", Email = "owner@bench.example",
            NormalizedEmail = "OWNER@BENCH.EXAMPLE", EmailConfirmed = true, SecurityStamp = Guid.NewGuid().ToString(), CreatedAt = now,
        };
        var org = new Organization { Id = Guid.NewGuid(), Name = "Bench", Plan = Plan.Enterprise, CreatedByUserId = owner.Id, CreatedByEmail = owner.NormalizedEmail, CreatedAt = now };
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.Users.Add(owner);
            db.Organizations.Add(org);
            db.RoleAssignments.Add(RoleAssignment.ForUser(owner, org.Id, Role.OrgOwner, now));
            await db.SaveChangesAsync();
        }
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, owner.Id, owner.Email);
        var projectService = scope.ServiceProvider.GetRequiredService<ProjectService>();
        for (var i = 1; i <= projects; i++)
        {
            var created = await projectService.CreateAsync(org.Id, $"project-{i:D2}");
            if (!created.IsSuccess) throw new InvalidOperationException(created.Error.Message);
        }
        var account = await scope.ServiceProvider.GetRequiredService<ServiceAccountService>().CreateAsync(org.Id, "benchmark", Role.OrgOwner);
        if (!account.IsSuccess) throw new InvalidOperationException(account.Error.Message);
        return (account.Value.Account.ClientId, account.Value.ClientSecret);
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) && value > 0 ? value : fallback;
    }
}
