using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Data;
using OrgConsole.Tests.Api.AdminApi;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

/// <summary>
/// SPEC §10 rate limits over HTTP, with tiny limits from configuration: 429 with Retry-After in each surface's own shape,
/// refused attempts write nothing, and a stranger's wrong passwords do not lock the owner out.
/// </summary>
public sealed partial class RateLimitTests : IAsyncLifetime
{
    private const string DemoPassword = "OrgConsole-demo-1";
    private const string UsageKey = "rate-limit-ingestion-key-0123456789";

    private readonly AppFactory _app = AppFactory.InMemory(new Dictionary<string, string>
    {
        ["Billing:UsageIngestionKey"] = UsageKey,
        ["RateLimits:SignInPerAccountAndAddress:PermitLimit"] = "3",
        ["RateLimits:SignInPerAccountAndAddress:Window"] = "00:15:00",
        ["RateLimits:SignInPerAddress:PermitLimit"] = "6",
        ["RateLimits:SignInPerAddress:Window"] = "00:05:00",
        ["RateLimits:RegistrationPerAddress:PermitLimit"] = "2",
        ["RateLimits:RegistrationPerAddress:Window"] = "01:00:00",
        ["RateLimits:PasswordResetPerEmail:PermitLimit"] = "2",
        ["RateLimits:PasswordResetPerEmail:Window"] = "01:00:00",
        ["RateLimits:PasswordResetPerAddress:PermitLimit"] = "3",
        ["RateLimits:PasswordResetPerAddress:Window"] = "01:00:00",
        ["RateLimits:TokenPerClient:PermitLimit"] = "2",
        ["RateLimits:TokenPerClient:Window"] = "00:01:00",
        ["RateLimits:TokenPerAddress:PermitLimit"] = "4",
        ["RateLimits:TokenPerAddress:Window"] = "00:01:00",
        ["RateLimits:UsagePerKey:PermitLimit"] = "2",
        ["RateLimits:UsagePerKey:Window"] = "00:01:00",
    }, ClientAddressHeader.Register);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 120_000)]
    public async Task WrongPasswords_OverTheLimit_Get429WithRetryAfter_AndWriteNoMoreAuditRows()
    {
        var attacker = NewClient("203.0.113.7");
        for (var i = 0; i < 3; i++)
        {
            var wrong = await PostLoginAsync(attacker, "eli@acme.example", "wrong-password");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var refused = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++) refused.Add(await PostLoginAsync(attacker, "eli@acme.example", "wrong-password"));
        var rightPasswordFromAttacker = await PostLoginAsync(attacker, "eli@acme.example", DemoPassword);

        Assert.All(refused.Append(rightPasswordFromAttacker), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.True(int.Parse(refused[0].Headers.GetValues("Retry-After").Single()) is > 0 and <= 900);
        Assert.Contains("Too many sign-in attempts", await refused[0].Content.ReadAsStringAsync());
        await using var db = await DbAsync();
        var failures = await db.AuditEvents.Where(e => e.ActorName == "eli@acme.example" && e.Action == "auth.sign_in_failed").CountAsync();
        Assert.Equal(3, failures); // one row per organization per counted attempt (eli is in one), none for refused ones
    }

    [Fact(Timeout = 120_000)]
    public async Task AStrangersWrongPasswords_DoNotStopTheOwnerSigningInFromTheirOwnAddress()
    {
        var stranger = NewClient("198.51.100.23");
        for (var i = 0; i < 8; i++) await PostLoginAsync(stranger, "owner@acme.example", "wrong-password");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostLoginAsync(stranger, "owner@acme.example", DemoPassword)).StatusCode);

        var owner = await PostLoginAsync(NewClient("192.0.2.10"), "owner@acme.example", DemoPassword);

        Assert.Equal(HttpStatusCode.Redirect, owner.StatusCode);
        Assert.DoesNotContain("Account/", owner.Headers.Location!.ToString());
    }

    [Fact(Timeout = 120_000)]
    public async Task SuccessfulSignIns_DoNotCountTowardsTheLimit()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(NewClient("192.0.2.200"), "user@acme.example", DemoPassword)).StatusCode);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task SignInsFromOneAddress_AcrossAccounts_AreLimited()
    {
        var sprayer = NewClient("203.0.113.99");
        string[] accounts = ["a@nowhere.example", "b@nowhere.example", "c@nowhere.example"];
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PostLoginAsync(sprayer, accounts[i % 3], "guess")).StatusCode);
        }

        var seventh = await PostLoginAsync(sprayer, "d@nowhere.example", "guess");

        Assert.Equal(HttpStatusCode.TooManyRequests, seventh.StatusCode);
        Assert.True(seventh.Headers.Contains("Retry-After"));
    }

    [Fact(Timeout = 120_000)]
    public async Task Registrations_FromOneAddress_AreLimited()
    {
        var client = NewClient("203.0.113.50");
        for (var i = 0; i < 2; i++)
        {
            var ok = await RegisterAsync(client, $"new{i}@fresh.example");
            Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        }

        var third = await RegisterAsync(client, "new2@fresh.example");

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.Contains("Retry-After"));
        Assert.Contains("Too many registrations", await third.Content.ReadAsStringAsync());
        await using var db = await DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Email == "new2@fresh.example"));
        Assert.Equal(HttpStatusCode.Redirect, (await RegisterAsync(NewClient("203.0.113.51"), "new3@fresh.example")).StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task PasswordResets_ForOnePerson_AreLimited_WhateverTheAddress()
    {
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await ForgotAsync(NewClient($"198.51.100.{i + 1}"), "fay@acme.example")).StatusCode);
        }

        var third = await ForgotAsync(NewClient("198.51.100.3"), "fay@acme.example");

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.Contains("Retry-After"));
        Assert.Contains("Too many password reset requests", await third.Content.ReadAsStringAsync());
        await using var db = await DbAsync();
        Assert.Equal(2, await db.OutboxEmails.CountAsync(m => m.To == "fay@acme.example"));
    }

    [Fact(Timeout = 120_000)]
    public async Task PasswordResets_FromOneAddress_AreLimited_AcrossEmails()
    {
        var client = NewClient("198.51.100.200");
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Redirect, (await ForgotAsync(client, $"someone{i}@nowhere.example")).StatusCode);

        Assert.Equal(HttpStatusCode.TooManyRequests, (await ForgotAsync(client, "someone9@nowhere.example")).StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task TokenRequests_PerClientId_AreLimited_InTheOAuthShape()
    {
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync($"192.0.2.{i + 1}", "guessed-client")).StatusCode);
        }

        var third = await TokenAsync("192.0.2.3", "guessed-client");

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(int.Parse(third.Headers.GetValues("Retry-After").Single()) > 0);
        var body = await third.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("too_many_requests", body.GetProperty("error").GetString());
        Assert.Contains("Try again", body.GetProperty("error_description").GetString());
    }

    [Fact(Timeout = 120_000)]
    public async Task TokenRequests_PerAddress_AreLimited_InTheOAuthShape()
    {
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync("192.0.2.77", $"client-{i}")).StatusCode);
        }

        var fifth = await TokenAsync("192.0.2.77", "client-9");

        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.StatusCode);
        Assert.True(fifth.Headers.Contains("Retry-After"));
        var body = await fifth.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("too_many_requests", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync("192.0.2.78", "client-10")).StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task UsageBatches_PerKey_AreLimited_InTheUsageErrorShape()
    {
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.BadRequest, (await UsageAsync("{\"records\": []}")).StatusCode);

        var third = await UsageAsync("{\"records\": []}");

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.Contains("Retry-After"));
        var error = (await third.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("RESOURCE_EXHAUSTED", error.GetProperty("code").GetString());
    }

    private async Task<HttpResponseMessage> UsageAsync(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/usage") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", UsageKey);
        return await _app.CreateClient().SendAsync(request);
    }

    private async Task<HttpResponseMessage> TokenAsync(string address, string clientId)
    {
        var client = NewClient(address);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = JsonContent.Create(new Dictionary<string, string>
            {
                ["client_id"] = clientId, ["client_secret"] = "wrong", ["grant_type"] = "client_credentials", ["audience"] = AdminApiHarness.Audience,
            }),
        };
        request.Headers.Add("X-Pinecone-Api-Version", AdminApiHarness.Version);
        return await client.SendAsync(request);
    }

    private HttpClient NewClient(string address)
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add(ClientAddressHeader.Header, address);
        return client;
    }

    private async Task<ApplicationDbContext> DbAsync() =>
        await _app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();

    private static Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password) =>
        PostFormAsync(client, "/Account/Login", "login", new()
        {
            ["Input.Email"] = email, ["Input.Password"] = password, ["Input.Stage"] = "password", ["Input.RememberMe"] = "false",
        });

    private static Task<HttpResponseMessage> RegisterAsync(HttpClient client, string email) =>
        PostFormAsync(client, "/Account/Register", "register", new()
        {
            ["Input.Email"] = email, ["Input.Password"] = "A-brand-new-passw0rd", ["Input.ConfirmPassword"] = "A-brand-new-passw0rd",
        });

    private static Task<HttpResponseMessage> ForgotAsync(HttpClient client, string email) =>
        PostFormAsync(client, "/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = email });

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string formName, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        fields["_handler"] = formName;
        fields["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value;
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
