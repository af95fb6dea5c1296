using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Common.Http;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Plans;

namespace OrgConsole.Features.Sso;

/// <summary>What the settings page shows. The client secret appears only as its hint (<c>••••abcd</c>).</summary>
public sealed record SsoSettings(
    bool PlanAllowsSso,
    Plan Plan,
    bool Configured,
    string? Issuer,
    string? ClientId,
    string? ClientSecretHint,
    IReadOnlyList<string> Domains,
    Role DefaultRole,
    bool EnforceSso,
    DateTime? UpdatedAt,
    string RedirectUri)
{
    /// <summary>Each claimed domain with its DNS challenge and whether it is verified.</summary>
    public IReadOnlyList<SsoDomainStatus> DomainStatuses { get; init; } = [];
}

/// <summary>A claimed domain as the settings page shows it: verified or not, and the TXT record that proves it.</summary>
public sealed record SsoDomainStatus(string Domain, bool Verified, DateTime? VerifiedAt, string RecordName, string RecordValue);

/// <summary>What an owner submits. A blank <see cref="ClientSecret"/> keeps the stored secret.</summary>
public sealed record SsoSettingsInput(string? Issuer, string? ClientId, string? ClientSecret, string? Domains, Role DefaultRole, bool EnforceSso);

/// <summary>Single sign-on settings of an organization (SPEC §6): Owner only, Enterprise plan only.</summary>
public sealed class SsoService(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    Authorizer authorizer,
    AuditLog audit,
    TimeProvider time,
    IDataProtectionProvider dataProtection,
    SsoDiscovery discovery,
    SsoDns dns,
    SsoNotices notices,
    PublicUrl publicUrl,
    Microsoft.Extensions.Options.IOptions<SsoOptions> options,
    ILogger<SsoService> logger)
{
    private const string SecretPurpose = "OrgConsole.Sso.ClientSecret.v1";

    public static string UpgradeMessage(Plan plan) => PlanGate.Message("Single sign-on", plan, l => l.AllowsSso);

    /// <summary>The redirect URI to register at the identity provider: one per organization.</summary>
    public string RedirectUriOf(Guid organizationId) => publicUrl.To(SsoOidc.CallbackPathOf(organizationId));

    public async Task<Result<SsoSettings>> GetAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ConfigureSso, ct);
        if (!access.IsSuccess) return access.Error;
        var plan = access.Value.Plan;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var connection = await db.Set<SsoConnection>().AsNoTracking().Include(c => c.Domains).FirstOrDefaultAsync(c => c.OrganizationId == organizationId, ct);
        var allowed = PlanLimits.For(plan).AllowsSso;
        if (connection is null) return new SsoSettings(allowed, plan, false, null, null, null, [], Role.OrgMember, false, null, RedirectUriOf(organizationId));
        return new SsoSettings(allowed, plan, true, connection.Issuer, connection.ClientId, SsoRules.SecretHint(connection.ClientSecretLast4),
            connection.Domains.Select(d => d.Domain).Order().ToList(), connection.DefaultRole, connection.EnforceSso, connection.UpdatedAt, RedirectUriOf(organizationId))
        {
            DomainStatuses = connection.Domains.OrderBy(d => d.Domain).Select(d => new SsoDomainStatus(d.Domain, d.VerifiedAt is not null, d.VerifiedAt,
                SsoRules.ChallengeName(d.Domain), SsoRules.ChallengeValue(d.VerificationToken))).ToList(),
        };
    }

    /// <summary>Why some of these domains cannot be claimed: an unverified claim elsewhere blocks nobody (SPEC §6); a verified one is that organization's.</summary>
    private static async Task<string?> ClaimedElsewhereAsync(ApplicationDbContext db, Guid organizationId, IReadOnlyList<string> domains, CancellationToken ct)
    {
        var list = domains.ToList();
        var claimed = await db.Set<SsoDomain>().Where(d => list.Contains(d.Domain) && d.OrganizationId != organizationId && d.VerifiedAt != null)
            .Select(d => d.Domain).OrderBy(d => d).ToListAsync(ct);
        return claimed.Count == 0 ? null
            : $"{string.Join(", ", claimed)} {(claimed.Count == 1 ? "is" : "are")} already verified by another organization. "
              + "A domain can belong to one organization only; contact support if it is yours.";
    }

    /// <summary>Creates or updates the organization's provider. Turning enforcement on requires the provider to answer correctly.</summary>
    public async Task<Result> SaveAsync(Guid organizationId, SsoSettingsInput input, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ConfigureSso, ct);
        if (!access.IsSuccess) return access.Error;
        if (PlanGate.SingleSignOn(access.Value.Plan) is { } notIncluded) return notIncluded;

        // Every problem of the form at once, each on its field (not one per round).
        var errors = new Dictionary<string, string>();
        var issuer = SsoRules.ValidateIssuer(input.Issuer, options.Value.AllowInsecureLoopback);
        if (!issuer.IsSuccess) errors["Issuer"] = issuer.Error.Message;
        var clientId = input.ClientId?.Trim();
        if (string.IsNullOrEmpty(clientId)) errors["ClientId"] = "Enter the client id the provider issued for OrgConsole.";
        else if (clientId.Length > SsoRules.ClientIdMaxLength) errors["ClientId"] = $"The client id can be at most {SsoRules.ClientIdMaxLength} characters.";
        var secret = input.ClientSecret?.Trim();
        if (!string.IsNullOrEmpty(secret) && secret.Length is < SsoRules.ClientSecretMinLength or > SsoRules.ClientSecretMaxLength)
        {
            errors["ClientSecret"] = $"The client secret must be {SsoRules.ClientSecretMinLength} to {SsoRules.ClientSecretMaxLength} characters.";
        }
        var domains = SsoRules.ValidateDomains(input.Domains);
        if (!domains.IsSuccess) errors["Domains"] = domains.Error.Message;
        if (!SsoRules.DefaultRoles.Contains(input.DefaultRole))
        {
            errors["DefaultRole"] = "People who join through single sign-on can be Users or Billing admins, never Owners.";
        }
        await using (var read = await dbFactory.CreateDbContextAsync(ct))
        {
            if (string.IsNullOrEmpty(secret) && !errors.ContainsKey("ClientSecret")
                && !await read.Set<SsoConnection>().AnyAsync(c => c.OrganizationId == organizationId, ct))
            {
                errors["ClientSecret"] = "Enter the client secret the provider issued for OrgConsole.";
            }
            if (domains.IsSuccess && await ClaimedElsewhereAsync(read, organizationId, domains.Value, ct) is { } claimedError) errors["Domains"] = claimedError;
        }
        if (input.EnforceSso && issuer.IsSuccess)
        {
            // Enforcing a provider that does not answer would lock everyone in its domains out.
            var check = await discovery.CheckAsync(issuer.Value, ct);
            if (!check.Ok) errors["EnforceSso"] = $"Fix the connection before enforcing single sign-on. {check.Message}";
        }
        if (errors.Count > 0 || clientId is null)
        {
            return new Error(ErrorKind.Validation, errors.Count == 1 ? errors.Values.First() : "Check the highlighted fields.", errors);
        }

        var protector = dataProtection.CreateProtector(SecretPurpose);
        return await dbFactory.WriteAsync(async db =>
        {
            // Checked again inside the write: another organization may have verified a domain since.
            if (await ClaimedElsewhereAsync(db, organizationId, domains.Value, ct) is { } claimed) return Error.Validation("Domains", claimed);

            var now = time.UtcNow();
            var connection = await db.Set<SsoConnection>().Include(c => c.Domains).FirstOrDefaultAsync(c => c.OrganizationId == organizationId, ct);
            var before = connection is null ? null : Describe(connection);
            if (connection is null)
            {
                if (string.IsNullOrEmpty(secret)) return Error.Validation("ClientSecret", "Enter the client secret the provider issued for OrgConsole.");
                connection = new SsoConnection
                {
                    Id = Guid.NewGuid(), OrganizationId = organizationId, Issuer = issuer.Value.AbsoluteUri, ClientId = clientId,
                    ProtectedClientSecret = protector.Protect(secret), ClientSecretLast4 = SsoRules.Last4(secret), CreatedAt = now,
                };
                db.Add(connection);
            }
            connection.Issuer = issuer.Value.AbsoluteUri;
            connection.ClientId = clientId;
            var secretChanged = !string.IsNullOrEmpty(secret) && before is not null;
            if (secretChanged)
            {
                connection.ProtectedClientSecret = protector.Protect(secret!);
                connection.ClientSecretLast4 = SsoRules.Last4(secret!);
            }
            connection.DefaultRole = input.DefaultRole;
            connection.EnforceSso = input.EnforceSso;
            connection.UpdatedAt = now;
            db.Touch(connection);
            foreach (var gone in connection.Domains.Where(d => !domains.Value.Contains(d.Domain)).ToList())
            {
                connection.Domains.Remove(gone);
                db.Remove(gone);
            }
            foreach (var added in domains.Value.Where(d => connection.Domains.All(existing => existing.Domain != d)))
            {
                // Added explicitly: found only through the navigation, a row with a client-set key would be saved as an UPDATE.
                var domain = new SsoDomain
                {
                    ConnectionId = connection.Id, OrganizationId = organizationId, Domain = added,
                    VerificationToken = SsoRules.NewVerificationToken(), ClaimedAt = now,
                };
                db.Add(domain);
                connection.Domains.Add(domain);
            }

            var after = Describe(connection);
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry(
                before is null ? "sso.configured" : "sso.updated", "sso_connection", connection.Id.ToString(),
                Before: before, After: new { after.Issuer, after.ClientId, after.Domains, after.DefaultRole, after.EnforceSso, ClientSecretChanged = secretChanged }), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>Removes the provider: its domains are released and everyone signs in with a password again.</summary>
    public async Task<Result> RemoveAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ConfigureSso, ct);
        if (!access.IsSuccess) return access.Error;
        return await dbFactory.WriteAsync(async db =>
        {
            var connection = await db.Set<SsoConnection>().Include(c => c.Domains).FirstOrDefaultAsync(c => c.OrganizationId == organizationId, ct);
            if (connection is null) return Error.NotFound("The single sign-on configuration");
            db.RemoveRange(connection.Domains);
            db.Remove(connection);
            await audit.AppendAsync(db, access.Value.Actor, organizationId,
                new AuditEntry("sso.removed", "sso_connection", connection.Id.ToString(), Before: Describe(connection)), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>
    /// Verify: looks up <c>_orgconsole-challenge.&lt;domain&gt;</c> and, when it holds this claim's token, makes the domain the
    /// organization's. The first organization to verify wins: the other organizations' claims on it are dropped and
    /// their owners emailed.
    /// </summary>
    public async Task<Result<SsoDomainStatus>> VerifyDomainAsync(Guid organizationId, string? domainName, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ConfigureSso, ct);
        if (!access.IsSuccess) return access.Error;
        if (PlanGate.SingleSignOn(access.Value.Plan) is { } notIncluded) return notIncluded;
        var domain = SsoRules.NormalizeDomain(domainName);
        if (domain is null) return Error.NotFound("The domain claim");

        SsoDomain? claim;
        bool verifiedElsewhere;
        await using (var read = await dbFactory.CreateDbContextAsync(ct))
        {
            claim = await read.Set<SsoDomain>().AsNoTracking().FirstOrDefaultAsync(d => d.OrganizationId == organizationId && d.Domain == domain, ct);
            // A claim dropped a moment ago because another organization verified the domain first: say so, not "not found".
            verifiedElsewhere = claim is null && await read.Set<SsoDomain>().AnyAsync(d => d.Domain == domain && d.VerifiedAt != null, ct);
        }
        if (verifiedElsewhere) return Error.Conflict($"{domain} is already verified by another organization. Contact support if it is yours.");
        if (claim is null) return Error.NotFound("The domain claim");
        if (claim.VerifiedAt is not null) return Status(claim);

        var recordName = SsoRules.ChallengeName(domain);
        var expected = SsoRules.ChallengeValue(claim.VerificationToken);
        var lookup = await dns.LookupTxtAsync(recordName, ct);
        switch (lookup.Outcome)
        {
            case TxtLookupOutcome.Failed:
                return Error.Validation("Domain", $"The DNS lookup of {recordName} failed ({lookup.Problem}). Try again in a few minutes.");
            case TxtLookupOutcome.NoRecord:
                return Error.Validation("Domain", $"No TXT record was found at {recordName}. Add the record shown below at your DNS provider; new records can take a few minutes to appear.");
            case TxtLookupOutcome.Found when !lookup.Values.Contains(expected, StringComparer.Ordinal):
                return Error.Validation("Domain", $"The TXT records at {recordName} do not contain {expected}. Check the value (it is unique to this organization) and try again.");
        }

        var now = time.UtcNow();
        Result<(SsoDomain Claim, List<Guid> Dropped)> verified;
        try
        {
            verified = await dbFactory.WriteAsync<(SsoDomain, List<Guid>)>(async db =>
            {
                var mine = await db.Set<SsoDomain>().FirstOrDefaultAsync(d => d.Id == claim.Id, ct);
                if (mine is null || mine.VerificationToken != claim.VerificationToken)
                {
                    return Error.Conflict($"This organization's claim on {domain} is gone: another organization verified it first, or the settings changed. Reload the page.");
                }
                if (mine.VerifiedAt is not null) return (mine, new List<Guid>());
                if (await db.Set<SsoDomain>().AnyAsync(d => d.Domain == domain && d.VerifiedAt != null, ct))
                {
                    return Error.Conflict($"{domain} is already verified by another organization. Contact support if it is yours.");
                }
                mine.VerifiedAt = now;
                var competing = await db.Set<SsoDomain>().Where(d => d.Domain == domain && d.Id != mine.Id).ToListAsync(ct);
                db.RemoveRange(competing);
                await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("sso.domain_verified", "sso_domain", domain,
                    After: new { Domain = domain, Record = recordName, DroppedClaims = competing.Count }), ct);
                foreach (var loser in competing)
                {
                    await audit.AppendAsync(db, Actor.System, loser.OrganizationId, new AuditEntry("sso.domain_claim_dropped", "sso_domain", domain,
                        Before: new { Domain = domain, Verified = false }, Reason: "Another organization verified the domain first."), ct);
                }
                return (mine, competing.Select(c => c.OrganizationId).Distinct().ToList());
            }, ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Error.Conflict($"{domain} was verified by another organization at the same moment. Contact support if it is yours.");
        }
        if (!verified.IsSuccess) return verified.Error;

        foreach (var loser in verified.Value.Dropped)
        {
            logger.LogInformation("SSO domain {Domain} verified by organization {Winner}; the claim of organization {Loser} was dropped", domain, organizationId, loser);
            await notices.EmailOwnersAsync(loser, $"Your single sign-on claim on {domain} was dropped", "Domain claim dropped",
                $"<p>Another organization proved it controls <strong>{SsoNotices.Encode(domain)}</strong> by publishing its DNS verification record, "
                + "so your organization's claim on it was removed. Sign-ins from that domain no longer go to your identity provider.</p>"
                + "<p>If the domain is yours, contact support.</p>", ct: ct);
        }
        return Status(verified.Value.Claim);
    }

    private static SsoDomainStatus Status(SsoDomain d) =>
        new(d.Domain, d.VerifiedAt is not null, d.VerifiedAt, SsoRules.ChallengeName(d.Domain), SsoRules.ChallengeValue(d.VerificationToken));

    /// <summary>"Test connection": fetches the discovery document of the issuer being entered (saved or not).</summary>
    public async Task<Result<DiscoveryCheck>> TestConnectionAsync(Guid organizationId, string? issuerUrl, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ConfigureSso, ct);
        if (!access.IsSuccess) return access.Error;
        if (PlanGate.SingleSignOn(access.Value.Plan) is { } notIncluded) return notIncluded;
        var issuer = SsoRules.ValidateIssuer(issuerUrl, options.Value.AllowInsecureLoopback);
        if (!issuer.IsSuccess) return issuer.Error;
        return await discovery.CheckAsync(issuer.Value, ct);
    }

    /// <summary>The stored client secret in clear, for the token request of a sign-in. Never shown, never logged.</summary>
    internal string UnprotectSecret(SsoConnection connection) => dataProtection.CreateProtector(SecretPurpose).Unprotect(connection.ProtectedClientSecret);

    private sealed record Description(string Issuer, string ClientId, IReadOnlyList<string> Domains, string DefaultRole, bool EnforceSso);

    private static Description Describe(SsoConnection c) =>
        new(c.Issuer, c.ClientId, c.Domains.Select(d => d.Domain).Order().ToList(), c.DefaultRole.ToString(), c.EnforceSso);
}
