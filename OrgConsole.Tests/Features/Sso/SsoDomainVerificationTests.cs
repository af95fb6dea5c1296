using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Sso;
using OrgConsole.Features.Support;
using OrgConsole.Tests.TestSupport;
using OrgConsole.Tests.TestSupport.Dns;

namespace OrgConsole.Tests.Features.Sso;

/// <summary>
/// SSO domains count only once verified by their DNS TXT challenge (SPEC §6), checked against a real DNS server on loopback.
/// </summary>
public sealed class SsoDomainVerificationTests : IAsyncLifetime
{
    private DnsTestServer _dns = default!;
    private TestDb _db = default!;

    public async Task InitializeAsync()
    {
        _dns = DnsTestServer.Start();
        _db = await TestDb.CreateAsync();
        _dns.Serve(_db.Services);
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _dns.DisposeAsync();
    }

    private async Task<(Guid OrgId, string OwnerId)> ClaimAsync(string name, string domains, string? ownerEmail = null)
    {
        var (orgId, ownerId) = await _db.CreateOrganizationAsync(name, ownerEmail);
        await _db.SetPlanAsync(orgId, Plan.Enterprise);
        var saved = await _db.Service<SsoService>(ownerId).SaveAsync(orgId,
            new SsoSettingsInput("https://idp.example.com/", "client", "client-secret-123", domains, Role.OrgMember, false));
        Assert.True(saved.IsSuccess, saved.Error?.Message);
        return (orgId, ownerId);
    }

    private async Task<SsoDomainStatus> StatusAsync(Guid orgId, string ownerId, string domain) =>
        Assert.Single((await _db.Service<SsoService>(ownerId).GetAsync(orgId)).Value.DomainStatuses, d => d.Domain == domain);

    /// <summary>Publishes the organization's challenge for the domain, as its owner would at their DNS provider.</summary>
    private async Task PublishAsync(Guid orgId, string ownerId, string domain, params string[] extra)
    {
        var status = await StatusAsync(orgId, ownerId, domain);
        _dns.SetTxt(status.RecordName, [.. extra, status.RecordValue]);
    }

    private async Task EnforceAsync(Guid orgId)
    {
        await using var context = await _db.DbFactory.CreateDbContextAsync();
        await context.Set<SsoConnection>().Where(c => c.OrganizationId == orgId).ExecuteUpdateAsync(s => s.SetProperty(c => c.EnforceSso, true));
    }

    private SsoDirectory Directory => _db.Services.CreateScope().ServiceProvider.GetRequiredService<SsoDirectory>();

    [Fact(Timeout = 60_000)]
    public async Task Claim_ShowsTheTxtChallenge_WithARandomTokenPerClaim()
    {
        var (orgId, ownerId) = await ClaimAsync("Acme", "corp.example");
        var (otherOrg, otherOwner) = await ClaimAsync("Globex", "corp.example");

        var mine = await StatusAsync(orgId, ownerId, "corp.example");
        var theirs = await StatusAsync(otherOrg, otherOwner, "corp.example");

        Assert.False(mine.Verified);
        Assert.Equal("_orgconsole-challenge.corp.example", mine.RecordName);
        Assert.Matches("^orgconsole-verification=[a-z2-7]{32}$", mine.RecordValue);
        Assert.NotEqual(mine.RecordValue, theirs.RecordValue);
    }

    [Fact(Timeout = 60_000)]
    public async Task UnverifiedClaim_RoutesNoSignIn_AndEvenEnforcedBlocksNobody()
    {
        var (orgId, _) = await ClaimAsync("Acme", "corp.example");
        await EnforceAsync(orgId);

        Assert.Null(await Directory.FindAsync("ceo@corp.example"));
        Assert.False(await Directory.RequiresSsoAsync("ceo@corp.example"));
        var admitted = await _db.Services.CreateScope().ServiceProvider.GetRequiredService<SsoProvisioning>()
            .AdmitAsync(orgId, new SsoIdentity("https://idp.example.com/", "ceo", "ceo@corp.example", true, "CEO"), null, null);
        Assert.Equal(ErrorKind.Validation, admitted.Error?.Kind);
        await using var context = await _db.DbFactory.CreateDbContextAsync();
        Assert.False(await context.Users.AnyAsync(u => u.NormalizedEmail == "CEO@CORP.EXAMPLE"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Verify_WithTheChallengePublished_VerifiesTheDomain_ThenItRoutesAndIsEnforced()
    {
        var (orgId, ownerId) = await ClaimAsync("Acme", "corp.example");
        await EnforceAsync(orgId);
        await PublishAsync(orgId, ownerId, "corp.example", "v=spf1 -all");

        var verified = await _db.Service<SsoService>(ownerId).VerifyDomainAsync(orgId, "Corp.Example");

        Assert.True(verified.IsSuccess, verified.Error?.Message);
        Assert.True(verified.Value.Verified);
        Assert.True((await StatusAsync(orgId, ownerId, "corp.example")).Verified);
        Assert.Equal(orgId, (await Directory.FindAsync("ceo@corp.example"))?.OrganizationId);
        Assert.True(await Directory.RequiresSsoAsync("ceo@corp.example"));
        Assert.Contains(await _db.AuditEventsAsync(orgId), e => e.Action == "sso.domain_verified");
    }

    [Fact(Timeout = 60_000)]
    public async Task Verify_WithoutARecord_SaysWhatToPublish_AndStaysUnverified()
    {
        var (orgId, ownerId) = await ClaimAsync("Acme", "corp.example");

        var result = await _db.Service<SsoService>(ownerId).VerifyDomainAsync(orgId, "corp.example");

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.Contains("No TXT record was found at _orgconsole-challenge.corp.example", result.Error?.Message);
        Assert.True(_dns.QueryCount > 0); // the real server was asked
        Assert.False((await StatusAsync(orgId, ownerId, "corp.example")).Verified);
        Assert.Null(await Directory.FindAsync("ceo@corp.example"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Verify_WithAnotherOrganizationsToken_StaysUnverified()
    {
        var (orgId, ownerId) = await ClaimAsync("Acme", "corp.example");
        var (rivalOrg, rivalOwner) = await ClaimAsync("Globex", "corp.example");
        await PublishAsync(rivalOrg, rivalOwner, "corp.example"); // the record proves the rival's claim, not Acme's

        var result = await _db.Service<SsoService>(ownerId).VerifyDomainAsync(orgId, "corp.example");

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.Contains("do not contain", result.Error?.Message);
        Assert.False((await StatusAsync(orgId, ownerId, "corp.example")).Verified);
    }

    [Fact(Timeout = 60_000)]
    public async Task Verify_WhenTheDnsServerFails_AsksToTryAgain_AndChangesNothing()
    {
        var (orgId, ownerId) = await ClaimAsync("Acme", "corp.example");
        await PublishAsync(orgId, ownerId, "corp.example");
        _dns.Failing = true;

        var result = await _db.Service<SsoService>(ownerId).VerifyDomainAsync(orgId, "corp.example");

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.Contains("failed", result.Error?.Message);
        Assert.False((await StatusAsync(orgId, ownerId, "corp.example")).Verified);
    }

    [Fact(Timeout = 60_000)]
    public async Task Verify_AnotherOrganizationsClaim_IsNotFound()
    {
        var (orgId, ownerId) = await ClaimAsync("Acme", "corp.example");
        await PublishAsync(orgId, ownerId, "corp.example");
        var (strangerOrg, stranger) = await _db.CreateOrganizationAsync("Stranger");
        await _db.SetPlanAsync(strangerOrg, Plan.Enterprise);

        Assert.Equal(ErrorKind.NotFound, (await _db.Service<SsoService>(stranger).VerifyDomainAsync(orgId, "corp.example")).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await _db.Service<SsoService>(stranger).VerifyDomainAsync(strangerOrg, "corp.example")).Error?.Kind);
        Assert.False((await StatusAsync(orgId, ownerId, "corp.example")).Verified);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(Role.OrgMember)]
    [InlineData(Role.OrgBillingAdmin)]
    public async Task Verify_ByAMemberOrBillingAdmin_IsForbidden(Role role)
    {
        var (orgId, ownerId) = await ClaimAsync("Acme", "corp.example");
        await PublishAsync(orgId, ownerId, "corp.example");
        var member = await _db.AddMemberAsync(orgId, role);

        Assert.Equal(ErrorKind.Forbidden, (await _db.Service<SsoService>(member).VerifyDomainAsync(orgId, "corp.example")).Error?.Kind);
        Assert.False((await StatusAsync(orgId, ownerId, "corp.example")).Verified);
    }

    [Fact(Timeout = 60_000)]
    public async Task FirstToVerify_Wins_TheOtherClaimIsDropped_AndItsOwnersAreEmailed()
    {
        var (squatterOrg, squatter) = await ClaimAsync("Squatter", "corp.example", "mallory@evil.example");
        var (orgId, ownerId) = await ClaimAsync("Acme", "corp.example", "boss@corp.example");
        await PublishAsync(orgId, ownerId, "corp.example");

        Assert.True((await _db.Service<SsoService>(ownerId).VerifyDomainAsync(orgId, "corp.example")).IsSuccess);

        Assert.Empty((await _db.Service<SsoService>(squatter).GetAsync(squatterOrg)).Value.DomainStatuses);
        var mail = Assert.Single(_db.Mail.Sent, m => m.To == "mallory@evil.example");
        Assert.Contains("corp.example", mail.Subject);
        Assert.Contains(await _db.AuditEventsAsync(squatterOrg), e => e.Action == "sso.domain_claim_dropped");
        // The winner holds it: nobody else can claim it any more.
        var (lateOrg, lateOwner) = await _db.CreateOrganizationAsync("Late");
        await _db.SetPlanAsync(lateOrg, Plan.Enterprise);
        var late = await _db.Service<SsoService>(lateOwner).SaveAsync(lateOrg,
            new SsoSettingsInput("https://idp.example.com/", "client", "client-secret-123", "corp.example", Role.OrgMember, false));
        Assert.Contains("already verified by another organization", late.Error?.For("Domains"));
    }

    [Fact(Timeout = 60_000)]
    public async Task TwoOrganizations_RaceToVerify_ExactlyOneOwnsTheDomain()
    {
        var (firstOrg, firstOwner) = await ClaimAsync("Acme", "corp.example");
        var (secondOrg, secondOwner) = await ClaimAsync("Globex", "corp.example");
        var first = await StatusAsync(firstOrg, firstOwner, "corp.example");
        var second = await StatusAsync(secondOrg, secondOwner, "corp.example");
        _dns.SetTxt(first.RecordName, first.RecordValue, second.RecordValue); // both managed to publish a record

        var results = await Task.WhenAll(
            Task.Run(() => _db.Service<SsoService>(firstOwner).VerifyDomainAsync(firstOrg, "corp.example")),
            Task.Run(() => _db.Service<SsoService>(secondOwner).VerifyDomainAsync(secondOrg, "corp.example")));

        Assert.Single(results, r => r.IsSuccess);
        Assert.Single(results, r => r.Error?.Kind == ErrorKind.Conflict);
        await using var context = await _db.DbFactory.CreateDbContextAsync();
        var rows = await context.Set<SsoDomain>().Where(d => d.Domain == "corp.example").ToListAsync();
        var holder = Assert.Single(rows);
        Assert.NotNull(holder.VerifiedAt);
        Assert.Equal(results[0].IsSuccess ? firstOrg : secondOrg, holder.OrganizationId);
    }

    [Fact(Timeout = 60_000)]
    public async Task TheLoserOfTheRace_VerifyingAfterItsClaimWasDropped_IsToldAnotherOrganizationVerifiedIt()
    {
        var (firstOrg, firstOwner) = await ClaimAsync("Acme", "corp.example");
        var (secondOrg, secondOwner) = await ClaimAsync("Globex", "corp.example");
        var first = await StatusAsync(firstOrg, firstOwner, "corp.example");
        var second = await StatusAsync(secondOrg, secondOwner, "corp.example");
        _dns.SetTxt(first.RecordName, first.RecordValue, second.RecordValue);
        Assert.True((await _db.Service<SsoService>(firstOwner).VerifyDomainAsync(firstOrg, "corp.example")).IsSuccess);

        // The second owner clicks "Verify" on the page they opened before: their claim is gone, the domain is taken.
        var late = await _db.Service<SsoService>(secondOwner).VerifyDomainAsync(secondOrg, "corp.example");

        Assert.Equal(ErrorKind.Conflict, late.Error?.Kind);
        Assert.Contains("already verified by another organization", late.Error!.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task Recheck_RecordRemovedLater_UnverifiesTheDomain_StopsEnforcement_AndEmailsOwners()
    {
        var (orgId, ownerId) = await ClaimAsync("Acme", "corp.example", "boss@corp.example");
        await EnforceAsync(orgId);
        await PublishAsync(orgId, ownerId, "corp.example");
        Assert.True((await _db.Service<SsoService>(ownerId).VerifyDomainAsync(orgId, "corp.example")).IsSuccess);
        var monitor = _db.Services.CreateScope().ServiceProvider.GetRequiredService<SsoDomainMonitor>();

        var unchanged = await monitor.RecheckAsync();
        Assert.Equal(1, unchanged.StillVerified);
        Assert.Empty(unchanged.Unverified);

        _dns.Remove("_orgconsole-challenge.corp.example");
        var report = await monitor.RecheckAsync();

        Assert.Equal(["corp.example"], report.Unverified);
        Assert.False((await StatusAsync(orgId, ownerId, "corp.example")).Verified);
        Assert.False(await Directory.RequiresSsoAsync("ceo@corp.example"));
        Assert.Null(await Directory.FindAsync("ceo@corp.example"));
        Assert.Single(_db.Mail.Sent, m => m.To == "boss@corp.example" && m.Subject.Contains("corp.example"));
        Assert.Contains(await _db.AuditEventsAsync(orgId), e => e.Action == "sso.domain_unverified");
    }

    [Fact(Timeout = 60_000)]
    public async Task Recheck_WhenTheDnsServerFails_KeepsTheDomainVerified()
    {
        var (orgId, ownerId) = await ClaimAsync("Acme", "corp.example");
        await PublishAsync(orgId, ownerId, "corp.example");
        Assert.True((await _db.Service<SsoService>(ownerId).VerifyDomainAsync(orgId, "corp.example")).IsSuccess);
        _dns.Failing = true;

        var report = await _db.Services.CreateScope().ServiceProvider.GetRequiredService<SsoDomainMonitor>().RecheckAsync();

        Assert.Equal(1, report.LookupFailures);
        Assert.True((await StatusAsync(orgId, ownerId, "corp.example")).Verified);
    }

    [Fact(Timeout = 60_000)]
    public async Task Support_ReleasesAVerifiedDomain_WithAReason_AndAnotherOrganizationCanThenVerifyIt()
    {
        var (orgId, ownerId) = await ClaimAsync("Acme", "corp.example");
        await PublishAsync(orgId, ownerId, "corp.example");
        Assert.True((await _db.Service<SsoService>(ownerId).VerifyDomainAsync(orgId, "corp.example")).IsSuccess);
        var staff = await _db.CreateSupportStaffAsync();

        Assert.Equal(ErrorKind.Forbidden, (await _db.Service<SupportService>(ownerId).ReleaseSsoDomainAsync(orgId, "corp.example", "ticket 1")).Error?.Kind);
        Assert.NotNull((await _db.Service<SupportService>(staff).ReleaseSsoDomainAsync(orgId, "corp.example", "")).Error?.For("Reason"));
        var released = await _db.Service<SupportService>(staff).ReleaseSsoDomainAsync(orgId, "corp.example", "Ticket 4711: domain sold");

        Assert.True(released.IsSuccess, released.Error?.Message);
        Assert.Null(await Directory.FindAsync("ceo@corp.example"));
        var audit = Assert.Single(await _db.AuditEventsAsync(orgId), e => e.Action == "sso.domain_released");
        Assert.Contains("Ticket 4711", audit.Reason);
        var (newOrg, newOwner) = await ClaimAsync("New owner", "corp.example");
        await PublishAsync(newOrg, newOwner, "corp.example");
        Assert.True((await _db.Service<SsoService>(newOwner).VerifyDomainAsync(newOrg, "corp.example")).IsSuccess);
    }
}
