using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Sso;
using OrgConsole.Tests.TestSupport.Dns;

namespace OrgConsole.Tests.TestSupport.OidcProvider;

/// <summary>Puts the demo organization (Acme Corp) on the Enterprise plan and connects it to a test provider.</summary>
public static class SsoTestSetup
{
    public static async Task<Guid> UpgradeAcmeToEnterpriseAsync(AppFactory app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        var acme = await db.Organizations.SingleAsync(o => o.Name == DemoSeeder.OrganizationName);
        await db.Organizations.Where(o => o.Id == acme.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.Plan, Plan.Enterprise));
        return acme.Id;
    }

    /// <summary>Saves Acme's SSO settings through the real service, as its owner; lets the provider redirect back to this app.</summary>
    public static async Task<Guid> ConnectAcmeAsync(AppFactory app, OidcTestProvider provider, bool enforce, string domains = "acme.example", Role defaultRole = Role.OrgMember)
    {
        var orgId = await UpgradeAcmeToEnterpriseAsync(app);
        provider.AllowRedirectUri(new Uri(app.BaseAddress, SsoOidc.CallbackPathOf(orgId).TrimStart('/')).ToString());
        await using var scope = app.Services.CreateAsyncScope();
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync())
        {
            var owner = await db.Users.SingleAsync(u => u.Email == "owner@acme.example");
            scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(ActorType.User, owner.Id, owner.Email!);
        }
        var sso = scope.ServiceProvider.GetRequiredService<SsoService>();
        var saved = await sso.SaveAsync(orgId,
            new SsoSettingsInput(provider.Issuer.AbsoluteUri, OidcTestProvider.ClientId, OidcTestProvider.ClientSecret, domains, defaultRole, enforce));
        Assert.True(saved.IsSuccess, saved.Error?.Message);
        await VerifyDomainsAsync(app.Services, sso, orgId);
        return orgId;
    }

    /// <summary>Verifies every claimed domain of the organization the real way: publishes its TXT challenge on a DNS server and clicks Verify.</summary>
    public static async Task VerifyDomainsAsync(IServiceProvider services, SsoService sso, Guid orgId)
    {
        await using var dns = DnsTestServer.Start();
        dns.Serve(services);
        foreach (var domain in (await sso.GetAsync(orgId)).Value.DomainStatuses)
        {
            dns.SetTxt(domain.RecordName, domain.RecordValue);
            var verified = await sso.VerifyDomainAsync(orgId, domain.Domain);
            Assert.True(verified.IsSuccess, verified.Error?.Message);
        }
    }
}
