using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Features.Plans;
using OrgConsole.Features.ServiceAccounts;

namespace OrgConsole.Tests.Api.AdminApi;

public sealed class TokenLifecycleTests : IAsyncLifetime
{
    private AdminApiHarness _api = null!;

    public async Task InitializeAsync() => _api = await AdminApiHarness.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task TokenEndpoint_AcceptsJsonAndForm_AndAnswersTheTokenResponse()
    {
        var account = await _api.ServiceAccountAsync(Role.OrgOwner);

        var json = await _api.RequestTokenAsync(account.Account.ClientId, account.ClientSecret);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        var body = await json.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.String, body.GetProperty("access_token").ValueKind);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(1800, body.GetProperty("expires_in").GetInt32());

        using var client = _api.App.CreateClient();
        var form = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["client_id"] = account.Account.ClientId, ["client_secret"] = account.ClientSecret,
                ["grant_type"] = "client_credentials", ["audience"] = AdminApiHarness.Audience,
            }),
        };
        form.Headers.Add("X-Pinecone-Api-Version", AdminApiHarness.Version);
        var formResponse = await client.SendAsync(form);
        Assert.Equal(HttpStatusCode.OK, formResponse.StatusCode);
        var token = (await formResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        Assert.Equal(HttpStatusCode.OK, (await _api.Client(token).GetAsync("/admin/projects")).StatusCode);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("""{"client_id":"x","client_secret":"y","grant_type":"client_credentials"}""", 400, "invalid_request")]
    [InlineData("""{"client_id":"x","client_secret":"y","grant_type":"password","audience":"https://api.pinecone.io/"}""", 400, "unsupported_grant_type")]
    [InlineData("""{"client_id":"x","client_secret":"y","grant_type":"client_credentials","audience":"https://api.pinecone.io/"}""", 401, "invalid_client")]
    [InlineData("""{"client_id":"x","client_secret":"y","grant_type":"client_credentials","audience":"https://evil.example/"}""", 400, "invalid_request")]
    [InlineData("""{"client_id":1,"client_secret":"y","grant_type":"client_credentials","audience":"https://api.pinecone.io/"}""", 400, "invalid_request")]
    [InlineData("""{"client_id":"x","extra":"y"}""", 400, "invalid_request")]
    [InlineData("""not json""", 400, "invalid_request")]
    [InlineData("""[1,2]""", 400, "invalid_request")]
    public async Task TokenEndpoint_AnswersBadRequestsInTheOAuthErrorShape(string json, int status, string error)
    {
        using var client = _api.App.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Pinecone-Api-Version", AdminApiHarness.Version);

        var response = await client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_description").GetString()));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("2026-04", "2026-04")]
    [InlineData("2026-07", "2026-07")] // TypeScript SDK 9.0.0
    [InlineData(null, "2026-04")] // no header: the oldest supported version, as Pinecone documents
    public async Task TokenEndpoint_ServesEverySupportedVersion_AndNamesTheVersionThatAnswered(string? sent, string answered)
    {
        var account = await _api.ServiceAccountAsync(Role.OrgOwner);
        using var client = _api.App.CreateClient();
        // The request as Pinecone's TypeScript SDK sends it (tokenProvider.fetchToken): JSON, with the SDK's version header.
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = JsonContent.Create(new Dictionary<string, string>
            {
                ["client_id"] = account.Account.ClientId, ["client_secret"] = account.ClientSecret, ["grant_type"] = "client_credentials", ["audience"] = AdminApiHarness.Audience,
            }),
        };
        if (sent is not null) request.Headers.Add("X-Pinecone-Api-Version", sent);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(answered, Assert.Single(response.Headers.GetValues("X-Pinecone-Api-Version")));
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        var projects = await _api.Client(token, sent ?? answered).GetAsync("/admin/projects");
        Assert.Equal(HttpStatusCode.OK, projects.StatusCode);
        Assert.Equal(answered, Assert.Single(projects.Headers.GetValues("X-Pinecone-Api-Version")));
    }

    [Fact(Timeout = 60_000)]
    public async Task TokenEndpoint_RefusesAnUnknownVersion_NamingTheSupportedOnes()
    {
        var account = await _api.ServiceAccountAsync(Role.OrgOwner);
        var response = await _api.RequestTokenAsync(account.Account.ClientId, account.ClientSecret, "2025-10");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains("2026-04, 2026-07", body.GetProperty("error_description").GetString());
    }

    [Theory(Timeout = 60_000)]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData(null)]
    public async Task TokenEndpoint_WithAnUnsupportedContentType_AnswersInTheOAuthErrorShape(string? contentType)
    {
        using var client = _api.App.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = new ByteArrayContent("client_id=x"u8.ToArray()) };
        if (contentType is not null) request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        request.Headers.Add("X-Pinecone-Api-Version", "2026-07");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains("application/json", body.GetProperty("error_description").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task TokenEndpoint_IgnoresUnknownParameters_SuchAsScope()
    {
        var account = await _api.ServiceAccountAsync(Role.OrgOwner);
        using var client = _api.App.CreateClient();
        var json = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new StringContent($$"""{"client_id":"{{account.Account.ClientId}}","client_secret":"{{account.ClientSecret}}","grant_type":"client_credentials","audience":"{{AdminApiHarness.Audience}}","scope":"admin","extra":[1]}""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        var form = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["client_id"] = account.Account.ClientId, ["client_secret"] = account.ClientSecret, ["grant_type"] = "client_credentials",
                ["audience"] = AdminApiHarness.Audience, ["scope"] = "admin",
            }),
        };

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(json)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(form)).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task ATokenExpires_AfterItsLifetime_OnTheClock()
    {
        var token = await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgOwner));
        var client = _api.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/projects")).StatusCode);

        _api.Time.Advance(TimeSpan.FromSeconds(1799));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/projects")).StatusCode);
        _api.Time.Advance(TimeSpan.FromSeconds(2));
        var expired = await client.GetAsync("/admin/projects");

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        var body = await expired.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, body.GetProperty("status").GetInt32());
        Assert.Equal("UNAUTHENTICATED", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task RotatingTheSecret_EndsTheOldSecretAndItsTokens_AtOnce()
    {
        var account = await _api.ServiceAccountAsync(Role.OrgOwner);
        var token = await _api.TokenAsync(account);
        var client = _api.Client(token);

        var rotated = await client.PostAsync($"/admin/service-accounts/{account.Account.Id}/rotate-secret", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var newSecret = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_secret").GetString()!;

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/admin/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.RequestTokenAsync(account.Account.ClientId, account.ClientSecret)).StatusCode);
        var fresh = _api.Client(await _api.TokenAsync(account with { ClientSecret = newSecret }));
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/admin/projects")).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeletingTheAccount_EndsItsTokens()
    {
        var account = await _api.ServiceAccountAsync(Role.OrgMember);
        var client = _api.Client(await _api.TokenAsync(account));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/projects")).StatusCode);

        var deleted = await _api.AsUserAsync(_api.OwnerId, sp => sp.GetRequiredService<ServiceAccountService>().DeleteAsync(_api.OrgId, account.Account.Id, account.Account.Name));
        Assert.True(deleted.IsSuccess);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/admin/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.RequestTokenAsync(account.Account.ClientId, account.ClientSecret)).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task ADowngradedOrganization_GetsNoTokens_AndItsTokensStopWorking()
    {
        var account = await _api.ServiceAccountAsync(Role.OrgOwner);
        var client = _api.Client(await _api.TokenAsync(account));

        await _api.SetPlanAsync(_api.OrgId, Plan.Standard);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/admin/projects")).StatusCode);
        var refused = await _api.RequestTokenAsync(account.Account.ClientId, account.ClientSecret);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("access_denied", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Theory(Timeout = 60_000)]
    [InlineData(Plan.Starter)]
    [InlineData(Plan.Standard)]
    public async Task ADowngradedOrganization_IsRefusedATokenWithTheOnePlanGateMessage_TheSameAsCreatingAnAccount(Plan plan)
    {
        var account = await _api.ServiceAccountAsync(Role.OrgOwner);
        await _api.SetPlanAsync(_api.OrgId, plan);

        var refused = await _api.RequestTokenAsync(account.Account.ClientId, account.ClientSecret);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var create = await _api.AsUserAsync(_api.OwnerId, sp => sp.GetRequiredService<ServiceAccountService>().CreateAsync(_api.OrgId, "another", Role.OrgMember));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("access_denied", body.GetProperty("error").GetString());
        Assert.True(create.Error?.IsPlanGate);
        Assert.Equal(create.Error?.Message, body.GetProperty("error_description").GetString());
        Assert.Equal(ServiceAccountService.UpgradeMessage(plan), body.GetProperty("error_description").GetString());
        Assert.EndsWith($"under {PlanGate.ChangePlanPlace}.", body.GetProperty("error_description").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task WrongCredentials_AreStill401InvalidClient()
    {
        var account = await _api.ServiceAccountAsync(Role.OrgOwner);

        var refused = await _api.RequestTokenAsync(account.Account.ClientId, account.ClientSecret + "x");
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.Equal("Unknown client_id or wrong client_secret.", body.GetProperty("error_description").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task ATamperedOrForeignToken_IsRefused()
    {
        var token = await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgOwner));
        var parts = token.Split('.');
        var forged = $"{parts[0]}.{parts[1]}.{parts[2][..^2]}AA";
        foreach (var bad in new[] { forged, "abc", "a.b.c", token + "x", "" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _api.Client(bad).GetAsync("/admin/projects")).StatusCode);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task SecretsAndTokens_AreNeverStoredInClearText_AndTheSigningKeyIsKept()
    {
        var account = await _api.ServiceAccountAsync(Role.OrgOwner);
        var token = await _api.TokenAsync(account);
        var rotated = await _api.Client(token).PostAsync($"/admin/service-accounts/{account.Account.Id}/rotate-secret", null);
        var newSecret = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_secret").GetString()!;

        await using (var db = await _api.DbAsync())
        {
            Assert.Equal(1, await db.TokenSigningKeys.CountAsync());
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        }
        SqliteConnection.ClearAllPools();
        var bytes = await File.ReadAllBytesAsync(_api.App.DatabasePath);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain(account.ClientSecret, text);
        Assert.DoesNotContain(newSecret, text);
        Assert.DoesNotContain(token, text);
        Assert.Contains(account.Account.ClientId, text); // the check can fail: public values are in the file
    }

    /// <summary>Re-signs a real token's payload with changed claims, as someone holding the signing key could.</summary>
    private static string Forge(string token, byte[] key, Action<System.Text.Json.Nodes.JsonObject> change)
    {
        var parts = token.Split('.');
        var payload = System.Text.Json.Nodes.JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        change(payload);
        var input = $"{parts[0]}.{System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString()))}";
        var signature = System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.ASCII.GetBytes(input));
        return $"{input}.{System.Buffers.Text.Base64Url.EncodeToString(signature)}";
    }

    [Fact(Timeout = 60_000)]
    public async Task AForgedLongLivedOrFutureToken_SignedWithTheRightKey_IsRefused()
    {
        var token = await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgOwner));
        var key = await _api.App.Services.GetRequiredService<OrgConsole.Common.SigningKeyStore>().GetOrCreateAsync(OrgConsole.AdminApi.AccessTokens.KeyId);
        var now = _api.Time.GetUtcNow().ToUnixTimeSeconds();

        var faithful = Forge(token, key, p => { p["iat"] = now - 60; p["exp"] = now - 60 + 1800; });
        var oneYear = Forge(token, key, p => { p["iat"] = now; p["exp"] = now + 365 * 86400; });
        var backdated = Forge(token, key, p => { p["iat"] = now - 86400; p["exp"] = now + 1000; });
        var future = Forge(token, key, p => { p["iat"] = now + 3600; p["exp"] = now + 3600 + 1800; });
        var noIat = Forge(token, key, p => p.Remove("iat"));

        Assert.Equal(HttpStatusCode.OK, (await _api.Client(faithful).GetAsync("/admin/projects")).StatusCode); // the forging is right
        foreach (var forged in new[] { oneYear, backdated, future, noIat })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _api.Client(forged).GetAsync("/admin/projects")).StatusCode);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task TheSigningKey_IsNotInTheDatabaseInClear_AndAClearKeyLeftByAnOlderVersionIsReplaced()
    {
        // An older version kept the key in clear: anyone with a copy of the database could sign tokens with it.
        var leaked = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await using (var db = await _api.DbAsync())
        {
            db.TokenSigningKeys.Add(new OrgConsole.Common.StoredSigningKey
            {
                Id = OrgConsole.AdminApi.AccessTokens.KeyId, Key = Convert.ToBase64String(leaked), CreatedAt = _api.Time.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync();
        }

        var token = await _api.TokenAsync(await _api.ServiceAccountAsync(Role.OrgOwner));

        var now = _api.Time.GetUtcNow().ToUnixTimeSeconds();
        var forged = Forge(token, leaked, p => { p["iat"] = now; p["exp"] = now + 1800; });
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.Client(forged).GetAsync("/admin/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.Client(token).GetAsync("/admin/projects")).StatusCode);
        var key = await _api.App.Services.GetRequiredService<OrgConsole.Common.SigningKeyStore>().GetOrCreateAsync(OrgConsole.AdminApi.AccessTokens.KeyId);
        await using (var db = await _api.DbAsync())
        {
            var row = await db.TokenSigningKeys.AsNoTracking().SingleAsync();
            Assert.NotEqual(Convert.ToBase64String(leaked), row.Key);
            Assert.DoesNotContain(Convert.ToBase64String(key), row.Key);
            Assert.StartsWith(OrgConsole.Common.SigningKeyStore.ProtectedPrefix, row.Key);
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        }
        SqliteConnection.ClearAllPools();
        var file = await File.ReadAllBytesAsync(_api.App.DatabasePath);
        Assert.Equal(-1, file.AsSpan().IndexOf(key));
        Assert.DoesNotContain(Convert.ToBase64String(key), System.Text.Encoding.UTF8.GetString(file));
    }
}
