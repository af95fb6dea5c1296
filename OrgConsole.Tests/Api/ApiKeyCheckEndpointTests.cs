using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

public class ApiKeyCheckEndpointTests : IAsyncLifetime
{
    private readonly AppFactory _app = AppFactory.InMemory();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task AKey_Authenticates_UntilItIsDeleted()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        var owner = await db.Users.SingleAsync(u => u.Email == "owner@acme.example");
        var project = await db.Projects.SingleAsync(p => p.Name == "Search");
        scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, owner.Id, owner.Email!);
        var keys = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
        var created = (await keys.CreateAsync(project.OrganizationId, project.Id, "ci", null)).Value;
        var client = _app.CreateClient();

        var ok = await SendAsync(client, created.Value);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var body = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(created.Id.ToString(), body.GetProperty("key_id").GetString());
        Assert.Equal(project.Id.ToString(), body.GetProperty("project_id").GetString());
        Assert.Equal("ProjectEditor", body.GetProperty("roles")[0].GetString());

        Assert.True((await keys.DeleteAsync(project.OrganizationId, project.Id, created.Id, "ci")).IsSuccess);
        var revoked = await SendAsync(client, created.Value);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("UNAUTHENTICATED", (await revoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
    }

    [Theory(Timeout = 60_000)]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer something")]
    [InlineData("pckey_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    public async Task MissingOrBogusKeys_Get401(string? header)
    {
        var response = await SendAsync(_app.CreateClient(), header);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/keys/whoami");
        if (key is not null) request.Headers.TryAddWithoutValidation(ApiKeyEndpoints.HeaderName, key);
        return client.SendAsync(request);
    }
}
