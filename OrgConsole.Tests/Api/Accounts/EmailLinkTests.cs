using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Common;
using OrgConsole.Tests.TestSupport;
using static OrgConsole.Tests.TestSupport.AccountForms;

namespace OrgConsole.Tests.Api.Accounts;

/// <summary>Links in emails come only from App:PublicUrl: a forged Host header must not steer a reset code to its sender.</summary>
public sealed class EmailLinkTests : IAsyncLifetime
{
    private const string PublicUrl = "https://console.example.com/";
    private readonly AppFactory _app = AppFactory.InMemory(new Dictionary<string, string> { ["App:PublicUrl"] = PublicUrl });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task AResetRequestedWithAForgedHost_MailsALinkOnThePublicUrl()
    {
        var attacker = _app.NewClient(new Uri("http://attacker.example/"));

        var requested = await PostFormAsync(attacker, "/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = "fay@acme.example" });

        Assert.Equal(HttpStatusCode.Redirect, requested.StatusCode);
        await using var db = await _app.DbAsync();
        var mail = await db.OutboxEmails.SingleAsync(m => m.To == "fay@acme.example");
        var link = FirstLink(mail.HtmlBody);
        Assert.StartsWith(PublicUrl + "Account/ResetPassword?code=", link);
        Assert.DoesNotContain("attacker.example", mail.HtmlBody);
    }

    [Fact(Timeout = 60_000)]
    public async Task AConfirmationMailForANewAccount_WithAForgedHost_LinksToThePublicUrl()
    {
        var attacker = _app.NewClient(new Uri("http://attacker.example/"));

        await PostFormAsync(attacker, "/Account/Register", "register", new()
        {
            ["Input.Email"] = "newcomer@else.example", ["Input.Password"] = "A-brand-new-passw0rd", ["Input.ConfirmPassword"] = "A-brand-new-passw0rd",
        });

        await using var db = await _app.DbAsync();
        var mail = await db.OutboxEmails.SingleAsync(m => m.To == "newcomer@else.example");
        Assert.StartsWith(PublicUrl + "Account/ConfirmEmail?", FirstLink(mail.HtmlBody));
        Assert.DoesNotContain("attacker.example", mail.HtmlBody);
    }
}

/// <summary>Outside Development the app does not start until the settings it needs are made (SPEC §10).</summary>
public sealed class ProductionSettingsTests
{
    [Fact(Timeout = 60_000)]
    public async Task Production_WithoutItsSettings_RefusesToStart_ListingWhatIsMissing()
    {
        await using var app = AppFactory.InMemory(new Dictionary<string, string> { ["environment"] = "Production" });

        var refused = Record.Exception(() => app.Services);

        Assert.NotNull(refused);
        var message = refused.ToString();
        Assert.Contains("App:PublicUrl", message);
        Assert.Contains("Email:Smtp:Host", message);
        Assert.Contains("Email:AllowOutboxInProduction", message);
        Assert.Contains("AdminApi:TokenSigningKey", message);
        Assert.Contains("DataProtection:KeysPath", message);
    }

    [Fact]
    public void CompleteSettings_AreNotMissingAnything_AndEachGapIsNamedOnItsOwn()
    {
        var complete = new Dictionary<string, string?>
        {
            ["App:PublicUrl"] = "https://console.example.com",
            ["Email:Smtp:Host"] = "smtp.example.com",
            ["AdminApi:TokenSigningKey"] = Convert.ToBase64String(new byte[32]),
            ["DataProtection:KeysPath"] = "/var/lib/orgconsole/keys",
        };
        Assert.Empty(ProductionSettings.Missing(Config(complete)));

        foreach (var key in complete.Keys)
        {
            var missing = ProductionSettings.Missing(Config(complete.Where(kv => kv.Key != key)));
            Assert.Contains(key, Assert.Single(missing));
        }

        var outbox = ProductionSettings.Missing(Config(complete.Where(kv => kv.Key != "Email:Smtp:Host").Append(new("Email:AllowOutboxInProduction", "true"))));
        Assert.Empty(outbox);
        var relative = ProductionSettings.Missing(Config(complete.Select(kv => kv.Key == "App:PublicUrl" ? new KeyValuePair<string, string?>(kv.Key, "console.example.com") : kv)));
        Assert.Contains("not an absolute", Assert.Single(relative));
    }

    [Fact]
    public void WithTheKeyRingInTheDatabase_NoKeyDirectoryIsNeeded_ButTheAuditChainKeyMustComeFromOutsideIt()
    {
        var shared = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["App:PublicUrl"] = "https://console.example.com",
            ["Email:Smtp:Host"] = "smtp.example.com",
            ["AdminApi:TokenSigningKey"] = Convert.ToBase64String(new byte[32]),
        };

        var withoutChainKey = ProductionSettings.Missing(Config(shared));
        var withChainKey = ProductionSettings.Missing(Config(shared.Append(new("Audit:ChainKey", Convert.ToBase64String(new byte[32])))));
        var onSqliteWithADatabaseKeyRing = ProductionSettings.Missing(Config(shared.Where(kv => kv.Key != "Database:Provider")
            .Append(new("DataProtection:Store", "Database"))));

        Assert.Contains("Audit:ChainKey", Assert.Single(withoutChainKey));
        Assert.Empty(withChainKey);
        Assert.Contains("Audit:ChainKey", Assert.Single(onSqliteWithADatabaseKeyRing));
    }

    private static IConfiguration Config(IEnumerable<KeyValuePair<string, string?>> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
