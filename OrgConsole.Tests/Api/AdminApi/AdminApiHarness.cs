using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.ServiceAccounts;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api.AdminApi;

/// <summary>The real app (demo data, a fake clock) with the demo organization on the Enterprise plan, and helpers to get tokens.</summary>
public sealed class AdminApiHarness : IAsyncDisposable
{
    public const string Version = "2026-04";

    /// <summary>Every version the contract tests run against: 2026-04 and 2026-07 (what TypeScript SDK 9.0.0 sends).</summary>
    public static TheoryData<string> Versions => new("2026-04", "2026-07");
    public const string Audience = "https://api.pinecone.io/";

    private AdminApiHarness(AppFactory app, FakeTimeProvider time)
    {
        App = app;
        Time = time;
    }

    public AppFactory App { get; }
    public FakeTimeProvider Time { get; }
    public Guid OrgId { get; private set; }
    public string OwnerId { get; private set; } = "";
    public Guid SearchProjectId { get; private set; }
    public Guid AnalyticsProjectId { get; private set; }

    public static async Task<AdminApiHarness> StartAsync(Action<IServiceCollection>? configureServices = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
        // The permission matrix asks for a token per role and operation, all from the one in-memory address.
        var app = AppFactory.InMemory(new Dictionary<string, string> { ["RateLimits:TokenPerAddress:PermitLimit"] = "100000" }, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            configureServices?.Invoke(services);
        });
        var harness = new AdminApiHarness(app, time);
        app.CreateClient().Dispose(); // starts the server and seeds the demo
        await using var db = await harness.DbAsync();
        var org = await db.Organizations.SingleAsync(o => o.Name == DemoSeeder.OrganizationName);
        harness.OrgId = org.Id;
        harness.OwnerId = (await db.Users.SingleAsync(u => u.Email == "owner@acme.example")).Id;
        harness.SearchProjectId = (await db.Projects.SingleAsync(p => p.Name == "Search")).Id;
        harness.AnalyticsProjectId = (await db.Projects.SingleAsync(p => p.Name == "Analytics")).Id;
        await harness.SetPlanAsync(org.Id, Plan.Enterprise);
        return harness;
    }

    public async Task<ApplicationDbContext> DbAsync() =>
        await App.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();

    public async Task SetPlanAsync(Guid orgId, Plan plan)
    {
        await using var db = await DbAsync();
        await db.Organizations.Where(o => o.Id == orgId).ExecuteUpdateAsync(s => s.SetProperty(o => o.Plan, plan));
    }

    /// <summary>Runs feature-service code as a user (the console's way in), to arrange data.</summary>
    public async Task<T> AsUserAsync<T>(string userId, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, userId, userId);
        return await work(scope.ServiceProvider);
    }

    public async Task<string> UserIdAsync(string email)
    {
        await using var db = await DbAsync();
        return (await db.Users.SingleAsync(u => u.Email == email)).Id;
    }

    /// <summary>A new service account of the demo organization (or another) holding <paramref name="role"/>.</summary>
    public async Task<ServiceAccountWithSecret> ServiceAccountAsync(Role role, Guid? orgId = null, string? ownerId = null, string? name = null)
    {
        var created = await AsUserAsync(ownerId ?? OwnerId, sp => sp.GetRequiredService<ServiceAccountService>()
            .CreateAsync(orgId ?? OrgId, name ?? $"sa-{role}-{Guid.NewGuid():N}"[..40], role));
        Assert.True(created.IsSuccess, created.Error?.Message);
        return created.Value;
    }

    public async Task<HttpResponseMessage> RequestTokenAsync(string clientId, string secret, string version = Version)
    {
        using var client = App.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = JsonContent.Create(new Dictionary<string, string>
            {
                ["client_id"] = clientId, ["client_secret"] = secret, ["grant_type"] = "client_credentials", ["audience"] = Audience,
            }),
        };
        request.Headers.Add("X-Pinecone-Api-Version", version);
        return await client.SendAsync(request);
    }

    public async Task<string> TokenAsync(ServiceAccountWithSecret account, string version = Version)
    {
        var response = await RequestTokenAsync(account.Account.ClientId, account.ClientSecret, version);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    public async Task<HttpClient> ClientForRoleAsync(Role role, string version = Version) => Client(await TokenAsync(await ServiceAccountAsync(role), version), version);

    /// <summary>A client that sends the version header and, when given, the bearer token.</summary>
    public HttpClient Client(string? token, string version = Version)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Add("X-Pinecone-Api-Version", version);
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A second organization (Enterprise, one project, one member, an invite, a key, a service account) for isolation tests.</summary>
    public async Task<ForeignOrganization> OtherOrganizationAsync()
    {
        string ownerId, memberId;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var owner = new ApplicationUser { UserName = "boss@globex.example", Email = "boss@globex.example", EmailConfirmed = true };
            var member = new ApplicationUser { UserName = "worker@globex.example", Email = "worker@globex.example", EmailConfirmed = true };
            Assert.True((await users.CreateAsync(owner)).Succeeded);
            Assert.True((await users.CreateAsync(member)).Succeeded);
            (ownerId, memberId) = (owner.Id, member.Id);
        }
        var orgId = (await AsUserAsync(ownerId, sp => sp.GetRequiredService<OrganizationService>().CreateAsync("Globex"))).Value;
        await SetPlanAsync(orgId, Plan.Enterprise);
        await using (var db = await DbAsync())
        {
            var member = await db.Users.SingleAsync(u => u.Id == memberId);
            db.RoleAssignments.Add(RoleAssignment.ForUser(member, orgId, Role.OrgMember, Time.GetUtcNow().UtcDateTime));
            await db.SaveChangesAsync();
        }
        var projectId = (await AsUserAsync(ownerId, sp => sp.GetRequiredService<OrgConsole.Features.Projects.ProjectService>().CreateAsync(orgId, "Globex search"))).Value;
        var key = (await AsUserAsync(ownerId, sp => sp.GetRequiredService<OrgConsole.Features.ApiKeys.ApiKeyService>().CreateAsync(orgId, projectId, "globex-key", null))).Value;
        var invite = (await AsUserAsync(ownerId, sp => sp.GetRequiredService<OrgConsole.Features.Invitations.InvitationService>()
            .InviteAsync(orgId, new OrgConsole.Features.Invitations.InviteRequest(["newbie@globex.example"], Role.OrgMember)))).Value.Invited.Single();
        var account = await ServiceAccountAsync(Role.OrgMember, orgId, ownerId, "globex-robot");
        await using var ctx = await DbAsync();
        var binding = await ctx.RoleAssignments.FirstAsync(r => r.OrganizationId == orgId && r.PrincipalId == memberId);
        return new ForeignOrganization(orgId, ownerId, memberId, projectId, key.Id, invite.Id, account.Account.Id, binding.Id);
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

public sealed record ForeignOrganization(Guid OrgId, string OwnerId, string MemberId, Guid ProjectId, Guid ApiKeyId, Guid InviteId, Guid ServiceAccountId, Guid RoleBindingId);
