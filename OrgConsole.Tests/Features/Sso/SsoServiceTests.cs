using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Sso;
using OrgConsole.Tests.TestSupport;
using OrgConsole.Tests.TestSupport.OidcProvider;

namespace OrgConsole.Tests.Features.Sso;

/// <summary>SSO settings against real SQLite, and "Test connection" against a real OpenID Connect provider on loopback.</summary>
public sealed class SsoServiceTests : IClassFixture<SsoServiceTests.Provider>
{
    private const string Secret = "super-secret-value-9z7Q";
    private readonly Provider _provider;

    public SsoServiceTests(Provider provider) => _provider = provider;

    public sealed class Provider : IAsyncLifetime
    {
        public OidcTestProvider Oidc { get; private set; } = default!;
        public async Task InitializeAsync() => Oidc = await OidcTestProvider.StartAsync();
        public async Task DisposeAsync() => await Oidc.DisposeAsync();
    }

    private SsoSettingsInput Valid(string domains = "example.com", bool enforce = false, Role role = Role.OrgMember, string? secret = Secret) =>
        new(_provider.Oidc.Issuer.AbsoluteUri, OidcTestProvider.ClientId, secret, domains, role, enforce);

    private static async Task<(TestDb Db, Guid OrgId, string OwnerId)> EnterpriseOrgAsync()
    {
        var db = await TestDb.CreateAsync();
        var (orgId, ownerId) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, Plan.Enterprise);
        return (db, orgId, ownerId);
    }

    [Fact(Timeout = 60_000)]
    public async Task Save_ValidSettings_StoresTheSecretEncryptedAndShowsOnlyItsLastFourCharacters()
    {
        var (db, orgId, ownerId) = await EnterpriseOrgAsync();
        await using var _ = db;
        var sso = db.Service<SsoService>(ownerId);

        var saved = await sso.SaveAsync(orgId, Valid("Example.COM, sub.example.org"));

        Assert.True(saved.IsSuccess, saved.Error?.Message);
        var settings = (await sso.GetAsync(orgId)).Value;
        Assert.Equal("••••9z7Q", settings.ClientSecretHint);
        Assert.Equal(["example.com", "sub.example.org"], settings.Domains);
        await using var context = await db.DbFactory.CreateDbContextAsync();
        var stored = await context.Set<SsoConnection>().SingleAsync();
        Assert.DoesNotContain(Secret, stored.ProtectedClientSecret);
        Assert.Equal(Secret, sso.UnprotectSecret(stored));
        var events = await db.AuditEventsAsync(orgId);
        var configured = Assert.Single(events, e => e.Action == "sso.configured");
        Assert.DoesNotContain(Secret, configured.After);
        Assert.Contains("example.com", configured.After);
    }

    [Fact(Timeout = 60_000)]
    public async Task Save_WithABlankSecret_KeepsTheStoredSecret_AndAuditsTheChangeWithoutIt()
    {
        var (db, orgId, ownerId) = await EnterpriseOrgAsync();
        await using var _ = db;
        var sso = db.Service<SsoService>(ownerId);
        Assert.True((await sso.SaveAsync(orgId, Valid())).IsSuccess);

        var updated = await sso.SaveAsync(orgId, Valid("example.com", role: Role.OrgBillingAdmin, secret: ""));

        Assert.True(updated.IsSuccess, updated.Error?.Message);
        await using var context = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal(Secret, sso.UnprotectSecret(await context.Set<SsoConnection>().SingleAsync()));
        Assert.Equal(Role.OrgBillingAdmin, (await sso.GetAsync(orgId)).Value.DefaultRole);
        var update = Assert.Single(await db.AuditEventsAsync(orgId), e => e.Action == "sso.updated");
        Assert.Contains("OrgMember", update.Before);
        Assert.Contains("OrgBillingAdmin", update.After);
        Assert.DoesNotContain(Secret, update.After);
    }

    [Fact(Timeout = 60_000)]
    public async Task Save_OnTheStandardPlan_IsRefusedWithHowToUpgrade()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, ownerId) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, Plan.Standard);
        var sso = db.Service<SsoService>(ownerId);

        var result = await sso.SaveAsync(orgId, Valid());

        Assert.Equal(ErrorKind.Quota, result.Error?.Kind); // the one plan gate (PlanGateTests)
        Assert.Contains("Enterprise plan", result.Error?.Message);
        Assert.Contains("upgrade", result.Error?.Message);
        Assert.True(result.Error?.IsPlanGate); // pages link it to Billing → Plan
        Assert.False((await sso.GetAsync(orgId)).Value.PlanAllowsSso);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("ftp://idp.example.com/", "example.com", Role.OrgMember, "Issuer")]
    [InlineData("http://idp.example.com/", "example.com", Role.OrgMember, "Issuer")]
    [InlineData("https://idp.example.com/?tenant=1", "example.com", Role.OrgMember, "Issuer")]
    [InlineData("", "example.com", Role.OrgMember, "Issuer")]
    [InlineData("https://idp.example.com/", "", Role.OrgMember, "Domains")]
    [InlineData("https://idp.example.com/", "not a domain", Role.OrgMember, "Domains")]
    [InlineData("https://idp.example.com/", "@example.com", Role.OrgMember, "Domains")]
    [InlineData("https://idp.example.com/", "https://example.com", Role.OrgMember, "Domains")]
    [InlineData("https://idp.example.com/", "localhost", Role.OrgMember, "Domains")]
    [InlineData("https://idp.example.com/", "-bad.example.com", Role.OrgMember, "Domains")]
    [InlineData("https://idp.example.com/", "example.com", Role.OrgOwner, "DefaultRole")]
    public async Task Save_InvalidSettings_NamesTheFieldAndChangesNothing(string issuer, string domains, Role role, string field)
    {
        var (db, orgId, ownerId) = await EnterpriseOrgAsync();
        await using var _ = db;
        var sso = db.Service<SsoService>(ownerId);

        var result = await sso.SaveAsync(orgId, new SsoSettingsInput(issuer, "client", Secret, domains, role, false));

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.NotNull(result.Error?.For(field));
        Assert.False((await sso.GetAsync(orgId)).Value.Configured);
        Assert.DoesNotContain(await db.AuditEventsAsync(orgId), e => e.Action.StartsWith("sso.", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task Save_AddingAndReplacingDomainsOnASavedConnection_StoresTheNewList()
    {
        var (db, orgId, ownerId) = await EnterpriseOrgAsync();
        await using var _ = db;
        var sso = db.Service<SsoService>(ownerId);
        Assert.True((await sso.SaveAsync(orgId, Valid("first.example"))).IsSuccess);

        var added = await sso.SaveAsync(orgId, Valid("first.example, second.example", secret: ""));
        Assert.True(added.IsSuccess, added.Error?.Message);
        Assert.Equal(["first.example", "second.example"], (await sso.GetAsync(orgId)).Value.Domains);

        var replaced = await db.Service<SsoService>(ownerId).SaveAsync(orgId, Valid("third.example", secret: ""));
        Assert.True(replaced.IsSuccess, replaced.Error?.Message);
        Assert.Equal(["third.example"], (await sso.GetAsync(orgId)).Value.Domains);
    }

    [Fact(Timeout = 60_000)]
    public async Task Save_WithoutASecretTheFirstTime_AsksForIt()
    {
        var (db, orgId, ownerId) = await EnterpriseOrgAsync();
        await using var _ = db;

        var result = await db.Service<SsoService>(ownerId).SaveAsync(orgId, Valid(secret: null));

        Assert.NotNull(result.Error?.For("ClientSecret"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Save_ADomainAnotherOrganizationClaimedButDidNotVerify_IsAllowed_ButAVerifiedOneIsRefusedWhateverItsCase()
    {
        var (db, firstOrg, firstOwner) = await EnterpriseOrgAsync();
        await using var _ = db;
        Assert.True((await db.Service<SsoService>(firstOwner).SaveAsync(firstOrg, Valid("claimed.example"))).IsSuccess);
        var (secondOrg, secondOwner) = await db.CreateOrganizationAsync("Globex");
        await db.SetPlanAsync(secondOrg, Plan.Enterprise);

        // An unverified claim blocks nobody.
        Assert.True((await db.Service<SsoService>(secondOwner).SaveAsync(secondOrg, Valid("globex.example\nCLAIMED.Example"))).IsSuccess);

        await using (var context = await db.DbFactory.CreateDbContextAsync())
        {
            await context.Set<SsoDomain>().Where(d => d.OrganizationId == firstOrg).ExecuteUpdateAsync(s => s.SetProperty(d => d.VerifiedAt, DateTime.UtcNow));
        }
        var (thirdOrg, thirdOwner) = await db.CreateOrganizationAsync("Initech");
        await db.SetPlanAsync(thirdOrg, Plan.Enterprise);
        var result = await db.Service<SsoService>(thirdOwner).SaveAsync(thirdOrg, Valid("initech.example\nCLAIMED.Example"));

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.Contains("claimed.example is already verified by another organization", result.Error?.For("Domains"));
        Assert.DoesNotContain("Acme", result.Error?.Message); // which organization holds it is not revealed
        Assert.False((await db.Service<SsoService>(thirdOwner).GetAsync(thirdOrg)).Value.Configured);
        // Re-saving its own domains is fine for the first organization, and keeps the verification.
        Assert.True((await db.Service<SsoService>(firstOwner).SaveAsync(firstOrg, Valid("Claimed.example", secret: ""))).IsSuccess);
        Assert.True(Assert.Single((await db.Service<SsoService>(firstOwner).GetAsync(firstOrg)).Value.DomainStatuses).Verified);
    }

    [Fact(Timeout = 60_000)]
    public async Task Remove_ReleasesTheDomainsForAnotherOrganization()
    {
        var (db, firstOrg, firstOwner) = await EnterpriseOrgAsync();
        await using var _ = db;
        Assert.True((await db.Service<SsoService>(firstOwner).SaveAsync(firstOrg, Valid("moving.example"))).IsSuccess);

        Assert.True((await db.Service<SsoService>(firstOwner).RemoveAsync(firstOrg)).IsSuccess);

        var (secondOrg, secondOwner) = await db.CreateOrganizationAsync("Globex");
        await db.SetPlanAsync(secondOrg, Plan.Enterprise);
        Assert.True((await db.Service<SsoService>(secondOwner).SaveAsync(secondOrg, Valid("moving.example"))).IsSuccess);
        Assert.Contains(await db.AuditEventsAsync(firstOrg), e => e.Action == "sso.removed");
    }

    [Theory(Timeout = 60_000)]
    [InlineData(Role.OrgMember)]
    [InlineData(Role.OrgBillingAdmin)]
    public async Task SsoSettings_ForAMemberOrBillingAdmin_AreForbidden(Role role)
    {
        var (db, orgId, _) = await EnterpriseOrgAsync();
        await using var __ = db;
        var member = await db.AddMemberAsync(orgId, role);
        var sso = db.Service<SsoService>(member);

        Assert.Equal(ErrorKind.Forbidden, (await sso.GetAsync(orgId)).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await sso.SaveAsync(orgId, Valid())).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await sso.TestConnectionAsync(orgId, _provider.Oidc.Issuer.AbsoluteUri)).Error?.Kind);
    }

    [Fact(Timeout = 60_000)]
    public async Task SsoSettings_OfAForeignOrganization_AreNotFound()
    {
        var (db, orgId, _) = await EnterpriseOrgAsync();
        await using var __ = db;
        var (_, stranger) = await db.CreateOrganizationAsync("Other");

        Assert.Equal(ErrorKind.NotFound, (await db.Service<SsoService>(stranger).GetAsync(orgId)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await db.Service<SsoService>(stranger).SaveAsync(orgId, Valid())).Error?.Kind);
    }

    [Fact(Timeout = 60_000)]
    public async Task TestConnection_ARealProvider_Connects()
    {
        var (db, orgId, ownerId) = await EnterpriseOrgAsync();
        await using var _ = db;

        // Without the trailing slash the provider states: people type it either way.
        var result = await db.Service<SsoService>(ownerId).TestConnectionAsync(orgId, _provider.Oidc.Issuer.AbsoluteUri.TrimEnd('/'));

        Assert.True(result.Value.Ok, result.Value.Message);
        Assert.StartsWith("Connected", result.Value.Message);
        Assert.EndsWith("/connect/authorize", result.Value.AuthorizationEndpoint);
    }

    [Fact(Timeout = 60_000)]
    public async Task TestConnection_ToAClosedPort_SaysTheProviderIsUnreachable()
    {
        var (db, orgId, ownerId) = await EnterpriseOrgAsync();
        await using var _ = db;

        var result = await db.Service<SsoService>(ownerId).TestConnectionAsync(orgId, $"http://127.0.0.1:{OidcTestProvider.ClosedPort()}/");

        Assert.False(result.Value.Ok);
        Assert.StartsWith("Unreachable", result.Value.Message);
        Assert.Contains("refused", result.Value.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task TestConnection_WithoutTheDevelopmentSwitch_RefusesHttpAndInternalAddresses_SoItIsNoPortScanner()
    {
        var (db, orgId, ownerId) = await EnterpriseOrgAsync();
        await using var _ = db;
        db.Services.GetRequiredService<IOptions<SsoOptions>>().Value.AllowInsecureLoopback = false;
        var sso = db.Service<SsoService>(ownerId);
        var openPort = _provider.Oidc.Issuer.Port;
        var closedPort = OidcTestProvider.ClosedPort();

        var plainHttp = await sso.TestConnectionAsync(orgId, _provider.Oidc.Issuer.AbsoluteUri);
        Assert.Equal("The issuer URL must use https.", plainHttp.Error?.For("Issuer"));

        var open = await sso.TestConnectionAsync(orgId, $"https://127.0.0.1:{openPort}/");
        var closed = await sso.TestConnectionAsync(orgId, $"https://127.0.0.1:{closedPort}/");
        Assert.StartsWith("Refused", open.Value.Message);
        Assert.Equal(open.Value.Message.Replace(openPort.ToString(), "PORT"), closed.Value.Message.Replace(closedPort.ToString(), "PORT"));

        foreach (var target in new[] { $"https://localhost:{openPort}/", $"https://[::1]:{openPort}/", $"https://[::ffff:127.0.0.1]:{openPort}/",
            "https://10.20.30.40/", "https://192.168.1.1/", "https://172.16.0.1/", "https://169.254.169.254/", "https://[fe80::1]/", "https://[fd00::1]/", "https://0.0.0.0/" })
        {
            var result = await sso.TestConnectionAsync(orgId, target);
            Assert.True(result.IsSuccess, target);
            Assert.False(result.Value.Ok, target);
            Assert.StartsWith("Refused", result.Value.Message);
        }
        // Enforcement cannot be switched on against such a provider either.
        var enforced = await sso.SaveAsync(orgId, Valid(enforce: true) with { Issuer = $"https://127.0.0.1:{openPort}/" });
        Assert.Contains("Refused", enforced.Error?.For("EnforceSso"));
    }

    [Theory]
    [InlineData("93.184.215.14", true)]
    [InlineData("2606:2800:21f:cb07:6820:80da:af6b:8b2c", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.0.10", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    public void OnlyPublicAddresses_AreReachable(string address, bool reachable) =>
        Assert.Equal(reachable, SsoOutbound.IsPublic(System.Net.IPAddress.Parse(address)));

    /// <summary>A URL that is not a working provider is named for what is wrong with it ({issuer}: the real issuer).</summary>
    [Theory(Timeout = 60_000)]
    [InlineData("a URL serving HTML", "Not an OpenID Connect provider", "did not return JSON")]
    [InlineData("JSON without the OIDC fields", "", "lacks issuer, authorization_endpoint, token_endpoint, jwks_uri")]
    [InlineData("a document naming another issuer", "Wrong issuer", "{issuer}")]
    public async Task TestConnection_ToABrokenProvider_SaysWhatIsWrong(string broken, string startsWith, string contains)
    {
        var (db, orgId, ownerId) = await EnterpriseOrgAsync();
        await using var _ = db;
        var issuer = broken switch
        {
            "a URL serving HTML" => _provider.Oidc.HtmlIssuer,
            "JSON without the OIDC fields" => _provider.Oidc.IncompleteIssuer,
            _ => _provider.Oidc.WrongIssuer,
        };

        var result = await db.Service<SsoService>(ownerId).TestConnectionAsync(orgId, issuer.AbsoluteUri);

        Assert.False(result.Value.Ok);
        Assert.StartsWith(startsWith, result.Value.Message);
        Assert.Contains(contains.Replace("{issuer}", _provider.Oidc.Issuer.AbsoluteUri), result.Value.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task Save_EnforcingAProviderThatDoesNotAnswer_IsRefused()
    {
        var (db, orgId, ownerId) = await EnterpriseOrgAsync();
        await using var _ = db;
        var input = Valid(enforce: true) with { Issuer = $"http://127.0.0.1:{OidcTestProvider.ClosedPort()}/" };

        var result = await db.Service<SsoService>(ownerId).SaveAsync(orgId, input);

        Assert.Contains("Unreachable", result.Error?.For("EnforceSso"));
        Assert.True((await db.Service<SsoService>(ownerId).SaveAsync(orgId, Valid(enforce: true))).IsSuccess);
    }
}
