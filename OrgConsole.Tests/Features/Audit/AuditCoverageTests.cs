using System.Reflection;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Billing;
using OrgConsole.Tests.Features.Billing;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Members;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Projects;
using OrgConsole.Features.Support;
using OrgConsole.Tests.TestSupport;
using SA = OrgConsole.Features.ServiceAccounts.ServiceAccountService;

namespace OrgConsole.Tests.Features.Audit;

/// <summary>
/// SPEC §9: every mutation writes exactly one audit event per organization it changes, with the right actor type.
/// The mutating service methods are found by reflection; one without a scenario here fails the test, so a new
/// feature cannot forget its audit trail silently.
/// </summary>
public class AuditCoverageTests
{
    private static readonly string[] ReadPrefixes = ["Get", "List", "Search", "Export", "Verify", "Allowed", "Preview", "Can", "Describe", "Check", "Render", "Test", "Count", "Page"];

    /// <summary>Mutations that are deliberately not audited, and why.</summary>
    private static readonly Dictionary<string, string> NotAudited = new()
    {
        ["OrganizationService.SwitchToAsync"] = "remembers the person's last used organization — a preference, not a change to the organization",
        ["ServiceAccountService.AuthenticateAsync"] = "checks a client id and secret and changes nothing; the token endpoint audits each token it issues",
        ["SupportService.CloseAsync"] = "support leaving early changes nothing of the organization; its log already records the visit and when it would end",
    };

    /// <summary>A world to act in: an organization with an owner, a member, a project with a key, a pending invitation, support staff.</summary>
    private sealed record World(TestDb Db, Guid OrgId, string Owner, string Member, Guid ProjectId, Guid KeyId, Guid InvitationId, string Staff, Guid OtherOrgId)
    {
        /// <summary>Ids a scenario's arrange step made, for its act step.</summary>
        public Dictionary<string, Guid> Arranged { get; } = [];
    }

    private static SA Accounts(World w) => w.Db.Service<SA>(w.Owner);

    /// <summary>An Enterprise organization with one service account (User role), for the service-account scenarios.</summary>
    private static async Task WithServiceAccountAsync(World w)
    {
        await w.Db.SetPlanAsync(w.OrgId, Plan.Enterprise);
        var created = await Accounts(w).CreateAsync(w.OrgId, "deployer", Role.OrgMember);
        Assert.True(created.IsSuccess, created.Error?.Message);
        w.Arranged["account"] = created.Value.Account.Id;
    }

    /// <summary>How to perform one mutation: <see cref="Arrange"/> runs before the audit trail is measured, <see cref="Act"/> is measured.</summary>
    private sealed record Scenario(ActorType Actor, Func<World, Task<Result>> Act, Func<World, Guid[]>? Orgs = null, Func<World, Task>? Arrange = null);

    private static readonly OrgConsole.Features.Sso.SsoSettingsInput SsoInput =
        new("https://login.coverage.example", "orgconsole", "a-client-secret-of-some-length", "coverage.example", Role.OrgMember, EnforceSso: false);

    private static readonly Dictionary<string, Scenario> Scenarios = new()
    {
        ["OrganizationService.CreateAsync"] = new(ActorType.User, async w =>
        {
            var userId = await w.Db.CreateUserAsync("founder@coverage.example");
            var created = await w.Db.Service<OrganizationService>(userId).CreateAsync("Founded");
            return created.IsSuccess ? Result.Ok() : created.Error;
        }, w => [NewestOrganization(w)]),
        ["OrganizationService.RenameAsync"] = new(ActorType.User, w => w.Db.Service<OrganizationService>(w.Owner).RenameAsync(w.OrgId, "Renamed")),
        ["OrganizationService.DeleteAsync"] = new(ActorType.User, async w =>
        {
            await Unaudited(w, db => db.Projects.Where(p => p.OrganizationId == w.OrgId).ExecuteDeleteAsync());
            return await w.Db.Service<OrganizationService>(w.Owner).DeleteAsync(w.OrgId, "Coverage");
        }),
        ["MemberService.ChangeRoleAsync"] = new(ActorType.User, w => w.Db.Service<MemberService>(w.Owner).ChangeRoleAsync(w.OrgId, w.Member, Role.OrgBillingAdmin)),
        ["MemberService.RemoveAsync"] = new(ActorType.User, w => w.Db.Service<MemberService>(w.Owner).RemoveAsync(w.OrgId, w.Member)),
        ["MemberService.AddRoleAsync"] = new(ActorType.User, w => w.Db.Service<MemberService>(w.Owner).AddRoleAsync(w.OrgId, w.Member, Role.OrgBillingAdmin)),
        ["MemberService.RemoveRoleAsync"] = new(ActorType.User, w => w.Db.Service<MemberService>(w.Owner).RemoveRoleAsync(w.OrgId, w.Member, Role.OrgBillingAdmin),
            Arrange: async w => Assert.True((await w.Db.Service<MemberService>(w.Owner).AddRoleAsync(w.OrgId, w.Member, Role.OrgBillingAdmin)).IsSuccess)),
        ["RoleBindingService.CreateAsync"] = new(ActorType.User, async w => ToResult(await w.Db.Service<OrgConsole.Features.RoleBindings.RoleBindingService>(w.Owner)
            .CreateAsync(w.OrgId, PrincipalType.User, w.Member, null, Role.OrgBillingAdmin))),
        ["RoleBindingService.DeleteAsync"] = new(ActorType.User, w => w.Db.Service<OrgConsole.Features.RoleBindings.RoleBindingService>(w.Owner).DeleteAsync(w.OrgId, w.Arranged["binding"]),
            Arrange: async w =>
            {
                Assert.True((await w.Db.Service<MemberService>(w.Owner).AddRoleAsync(w.OrgId, w.Member, Role.OrgBillingAdmin)).IsSuccess);
                await using var db = await w.Db.DbFactory.CreateDbContextAsync();
                w.Arranged["binding"] = await db.RoleAssignments.Where(r => r.OrganizationId == w.OrgId && r.PrincipalId == w.Member && r.Role == Role.OrgBillingAdmin)
                    .Select(r => r.Id).SingleAsync();
            }),
        ["MemberService.LeaveAsync"] = new(ActorType.User, w => w.Db.Service<MemberService>(w.Member).LeaveAsync(w.OrgId)),
        ["MemberService.TransferOwnershipAsync"] = new(ActorType.User, w => w.Db.Service<MemberService>(w.Owner).TransferOwnershipAsync(w.OrgId, w.Member)),
        ["InvitationService.InviteAsync"] = new(ActorType.User, async w =>
            await w.Db.Service<InvitationService>(w.Owner).InviteAsync(w.OrgId, new InviteRequest(["another@coverage.example"], Role.OrgMember)) is { IsSuccess: true } ? Result.Ok() : Error.Conflict("invite failed")),
        ["InvitationService.ResendAsync"] = new(ActorType.User, async w => ToResult(await w.Db.Service<InvitationService>(w.Owner).ResendAsync(w.OrgId, w.InvitationId))),
        ["InvitationService.RevokeAsync"] = new(ActorType.User, w => w.Db.Service<InvitationService>(w.Owner).RevokeAsync(w.OrgId, w.InvitationId)),
        ["InvitationService.AddRoleAsync"] = new(ActorType.User, async w =>
            ToResult(await w.Db.Service<InvitationService>(w.Owner).AddRoleAsync(w.OrgId, w.InvitationId, w.ProjectId, Role.ProjectMember))),
        ["InvitationService.RemoveRoleAsync"] = new(ActorType.User, async w =>
            await w.Db.Service<InvitationService>(w.Owner).RemoveRoleAsync(w.OrgId, w.Arranged["binding"]),
            Arrange: async w => w.Arranged["binding"] = (await w.Db.Service<InvitationService>(w.Owner).AddRoleAsync(w.OrgId, w.InvitationId, null, Role.OrgBillingAdmin)).Value.Id),
        ["InvitationService.AcceptAsync"] = new(ActorType.User, async w =>
        {
            var invitee = await w.Db.CreateUserAsync("invited@coverage.example");
            return ToResult(await w.Db.Service<InvitationService>(invitee).AcceptAsync(w.Db.Mail.Sent[0].Token));
        }),
        ["InvitationService.AcceptMineAsync"] = new(ActorType.User, async w =>
        {
            var invitee = await w.Db.CreateUserAsync("invited@coverage.example");
            return ToResult(await w.Db.Service<InvitationService>(invitee).AcceptMineAsync(w.InvitationId));
        }),
        ["InvitationService.DeclineMineAsync"] = new(ActorType.User, async w =>
        {
            var invitee = await w.Db.CreateUserAsync("invited@coverage.example");
            return await w.Db.Service<InvitationService>(invitee).DeclineMineAsync(w.InvitationId);
        }),
        ["AccountService.SetDisplayNameAsync"] = new(ActorType.User, async w =>
            ToResult(await Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<OrgConsole.Features.Accounts.AccountService>(w.Db.As(w.Member).ServiceProvider).SetDisplayNameAsync("Coverage Member"))),
        ["ProjectService.CreateAsync"] = new(ActorType.User, async w => ToResult(await w.Db.Service<ProjectService>(w.Owner).CreateAsync(w.OrgId, "Another"))),
        ["ProjectService.RenameAsync"] = new(ActorType.User, w => w.Db.Service<ProjectService>(w.Owner).RenameAsync(w.OrgId, w.ProjectId, "Renamed")),
        ["ProjectService.DeleteAsync"] = new(ActorType.User, w => w.Db.Service<ProjectService>(w.Owner).DeleteAsync(w.OrgId, w.ProjectId, "Search")),
        ["ProjectMemberService.AddAsync"] = new(ActorType.User, async w =>
        {
            var newcomer = await w.Db.AddMemberAsync(w.OrgId, Role.OrgMember, "newcomer@coverage.example");
            return await w.Db.Service<ProjectMemberService>(w.Owner).AddAsync(w.OrgId, w.ProjectId, newcomer, Role.ProjectMember);
        }),
        ["ProjectMemberService.ChangeRoleAsync"] = new(ActorType.User, w => w.Db.Service<ProjectMemberService>(w.Owner).ChangeRoleAsync(w.OrgId, w.ProjectId, w.Member, Role.ProjectOwner)),
        ["ProjectMemberService.AddRoleAsync"] = new(ActorType.User, w => w.Db.Service<ProjectMemberService>(w.Owner).AddRoleAsync(w.OrgId, w.ProjectId, w.Member, Role.ProjectOwner)),
        ["ProjectMemberService.RemoveRoleAsync"] = new(ActorType.User, w => w.Db.Service<ProjectMemberService>(w.Owner).RemoveRoleAsync(w.OrgId, w.ProjectId, w.Member, Role.ProjectOwner),
            Arrange: async w => Assert.True((await w.Db.Service<ProjectMemberService>(w.Owner).AddRoleAsync(w.OrgId, w.ProjectId, w.Member, Role.ProjectOwner)).IsSuccess)),
        ["ProjectMemberService.RemoveAsync"] = new(ActorType.User, w => w.Db.Service<ProjectMemberService>(w.Owner).RemoveAsync(w.OrgId, w.ProjectId, w.Member)),
        ["ApiKeyService.CreateAsync"] = new(ActorType.User, async w => ToResult(await w.Db.Service<ApiKeyService>(w.Owner).CreateAsync(w.OrgId, w.ProjectId, "another", null))),
        ["ApiKeyService.UpdateAsync"] = new(ActorType.User, w => w.Db.Service<ApiKeyService>(w.Owner).UpdateAsync(w.OrgId, w.ProjectId, w.KeyId, "renamed", [Role.ProjectViewer])),
        ["ApiKeyService.DeleteAsync"] = new(ActorType.User, w => w.Db.Service<ApiKeyService>(w.Owner).DeleteAsync(w.OrgId, w.ProjectId, w.KeyId, "ci")),
        ["SupportService.OpenAsync"] = new(ActorType.Support, async w => ToResult(await w.Db.Service<SupportService>(w.Staff).OpenAsync(w.OrgId, "TICKET-1"))),
        ["SupportService.MoveProjectAsync"] = new(ActorType.Support, w => w.Db.Service<SupportService>(w.Staff).MoveProjectAsync(w.ProjectId, w.OtherOrgId, "owner@coverage.example", "TICKET-2"),
            w => [w.OrgId, w.OtherOrgId]),
        ["SupportService.ResendInvitationAsync"] = new(ActorType.Support, async w => ToResult(await w.Db.Service<SupportService>(w.Staff).ResendInvitationAsync(w.OrgId, w.InvitationId, "TICKET-3"))),
        ["SupportService.RestoreOrganizationAsync"] = new(ActorType.Support,
            w => w.Db.Service<SupportService>(w.Staff).RestoreOrganizationAsync(w.OrgId, "TICKET-4"),
            Arrange: async w =>
            {
                await Unaudited(w, db => db.Projects.Where(p => p.OrganizationId == w.OrgId).ExecuteDeleteAsync());
                Assert.True((await w.Db.Service<OrganizationService>(w.Owner).DeleteAsync(w.OrgId, "Coverage")).IsSuccess);
            }),
        ["BillingService.UpdateDetailsAsync"] = new(ActorType.User, w => w.Db.Service<BillingService>(w.Owner).UpdateDetailsAsync(w.OrgId,
            new BillingDetails("Olivia Owner", "billing@coverage.example", "1 Main Street", null, "Springfield", "12345", "US", null, null))),
        ["BillingService.SetPaymentMethodAsync"] = new(ActorType.User, async w => ToResult(await w.Db.Service<BillingService>(w.Owner).SetPaymentMethodAsync(w.OrgId, BillingTestData.Visa))),
        ["BillingService.RemovePaymentMethodAsync"] = new(ActorType.User, w => w.Db.Service<BillingService>(w.Owner).RemovePaymentMethodAsync(w.OrgId),
            Arrange: async w =>
            {
                await w.Db.SetPlanAsync(w.OrgId, Plan.Starter); // a card can only go when nothing is paid for
                Assert.True((await w.Db.Service<BillingService>(w.Owner).SetPaymentMethodAsync(w.OrgId, BillingTestData.Visa)).IsSuccess);
            }),
        ["BillingService.ChangePlanAsync"] = new(ActorType.User, w => w.Db.Service<BillingService>(w.Owner).ChangePlanAsync(w.OrgId, Plan.Enterprise),
            Arrange: async w => Assert.True((await w.Db.Service<BillingService>(w.Owner).SetPaymentMethodAsync(w.OrgId, BillingTestData.Visa)).IsSuccess)),
        ["BillingService.ChangeSupportPlanAsync"] = new(ActorType.User, w => w.Db.Service<BillingService>(w.Owner).ChangeSupportPlanAsync(w.OrgId, SupportPlan.Developer),
            Arrange: async w => Assert.True((await w.Db.Service<BillingService>(w.Owner).SetPaymentMethodAsync(w.OrgId, BillingTestData.Visa)).IsSuccess)),
        ["BillingService.UpdateSpendAlertAsync"] = new(ActorType.User, w => w.Db.Service<BillingService>(w.Owner).UpdateSpendAlertAsync(w.OrgId, 100m, "billing@coverage.example")),
        ["InvoiceService.PayAsync"] = new(ActorType.User, async w =>
        {
            var open = (await w.Db.Service<InvoiceService>(w.Owner).ListAsync(w.OrgId)).Value.First(i => i.Status == InvoiceStatus.Open);
            return await w.Db.Service<InvoiceService>(w.Owner).PayAsync(w.OrgId, open.Id!.Value);
        }, Arrange: async w =>
        {
            w.Db.Time.Advance(TimeSpan.FromDays(31));
            await w.Db.Service<InvoiceService>(null).ClosePeriodsAsync();   // November closes without a card: the invoice stays open
            Assert.True((await w.Db.Service<BillingService>(w.Owner).SetPaymentMethodAsync(w.OrgId, BillingTestData.Visa)).IsSuccess);
        }),
        ["SsoService.SaveAsync"] = new(ActorType.User, w => w.Db.Service<OrgConsole.Features.Sso.SsoService>(w.Owner).SaveAsync(w.OrgId, SsoInput),
            Arrange: w => w.Db.SetPlanAsync(w.OrgId, Plan.Enterprise)),
        ["SsoService.RemoveAsync"] = new(ActorType.User, w => w.Db.Service<OrgConsole.Features.Sso.SsoService>(w.Owner).RemoveAsync(w.OrgId),
            Arrange: async w =>
            {
                await w.Db.SetPlanAsync(w.OrgId, Plan.Enterprise);
                Assert.True((await w.Db.Service<OrgConsole.Features.Sso.SsoService>(w.Owner).SaveAsync(w.OrgId, SsoInput)).IsSuccess);
            }),
        ["SsoService.VerifyDomainAsync"] = new(ActorType.User, async w =>
        {
            await using var dns = OrgConsole.Tests.TestSupport.Dns.DnsTestServer.Start();
            dns.Serve(w.Db.Services);
            var sso = w.Db.Service<OrgConsole.Features.Sso.SsoService>(w.Owner);
            var claim = Assert.Single((await sso.GetAsync(w.OrgId)).Value.DomainStatuses);
            dns.SetTxt(claim.RecordName, claim.RecordValue);
            return ToResult(await sso.VerifyDomainAsync(w.OrgId, claim.Domain));
        }, Arrange: async w =>
        {
            await w.Db.SetPlanAsync(w.OrgId, Plan.Enterprise);
            Assert.True((await w.Db.Service<OrgConsole.Features.Sso.SsoService>(w.Owner).SaveAsync(w.OrgId, SsoInput)).IsSuccess);
        }),
        ["SupportService.ReleaseSsoDomainAsync"] = new(ActorType.Support, w => w.Db.Service<SupportService>(w.Staff).ReleaseSsoDomainAsync(w.OrgId, "coverage.example", "TICKET-5"),
            Arrange: async w =>
            {
                await w.Db.SetPlanAsync(w.OrgId, Plan.Enterprise);
                Assert.True((await w.Db.Service<OrgConsole.Features.Sso.SsoService>(w.Owner).SaveAsync(w.OrgId, SsoInput)).IsSuccess);
            }),
        ["ServiceAccountService.CreateAsync"] = new(ActorType.User, async w => ToResult(await Accounts(w).CreateAsync(w.OrgId, "builder", Role.OrgMember)),
            Arrange: w => w.Db.SetPlanAsync(w.OrgId, Plan.Enterprise)),
        ["ServiceAccountService.RenameAsync"] = new(ActorType.User, async w => ToResult(await Accounts(w).RenameAsync(w.OrgId, w.Arranged["account"], "deployer-2")),
            Arrange: WithServiceAccountAsync),
        ["ServiceAccountService.ChangeRoleAsync"] = new(ActorType.User, w => Accounts(w).ChangeRoleAsync(w.OrgId, w.Arranged["account"], Role.OrgBillingAdmin),
            Arrange: WithServiceAccountAsync),
        ["ServiceAccountService.AddOrgRoleAsync"] = new(ActorType.User, w => Accounts(w).AddOrgRoleAsync(w.OrgId, w.Arranged["account"], Role.OrgBillingAdmin),
            Arrange: WithServiceAccountAsync),
        ["ServiceAccountService.RemoveOrgRoleAsync"] = new(ActorType.User, w => Accounts(w).RemoveOrgRoleAsync(w.OrgId, w.Arranged["account"], Role.OrgMember),
            Arrange: WithServiceAccountAsync),
        ["ServiceAccountService.AddProjectRoleAsync"] = new(ActorType.User, w => Accounts(w).AddProjectRoleAsync(w.OrgId, w.Arranged["account"], w.ProjectId, Role.ProjectMember),
            Arrange: WithServiceAccountAsync),
        ["ServiceAccountService.RemoveProjectRoleAsync"] = new(ActorType.User, w => Accounts(w).RemoveProjectRoleAsync(w.OrgId, w.Arranged["account"], w.ProjectId, Role.ProjectMember),
            Arrange: async w =>
            {
                await WithServiceAccountAsync(w);
                Assert.True((await Accounts(w).AddProjectRoleAsync(w.OrgId, w.Arranged["account"], w.ProjectId, Role.ProjectMember)).IsSuccess);
            }),
        ["ServiceAccountService.RotateSecretAsync"] = new(ActorType.User, async w => ToResult(await Accounts(w).RotateSecretAsync(w.OrgId, w.Arranged["account"])),
            Arrange: WithServiceAccountAsync),
        ["ServiceAccountService.DeleteAsync"] = new(ActorType.User, w => Accounts(w).DeleteAsync(w.OrgId, w.Arranged["account"], "deployer"),
            Arrange: WithServiceAccountAsync),
        ["ServiceAccountService.ConnectProjectAsync"] = new(ActorType.User, w => Accounts(w).ConnectProjectAsync(w.OrgId, w.Arranged["account"], w.ProjectId, Role.ProjectMember),
            Arrange: WithServiceAccountAsync),
        ["ServiceAccountService.DisconnectProjectAsync"] = new(ActorType.User, w => Accounts(w).DisconnectProjectAsync(w.OrgId, w.Arranged["account"], w.ProjectId),
            Arrange: async w =>
            {
                await WithServiceAccountAsync(w);
                Assert.True((await Accounts(w).ConnectProjectAsync(w.OrgId, w.Arranged["account"], w.ProjectId, Role.ProjectMember)).IsSuccess);
            }),
        ["AccountService.DeleteOwnAccountAsync"] = new(ActorType.User, w =>
            Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<OrgConsole.Features.Accounts.AccountService>(w.Db.As(w.Member).ServiceProvider).DeleteOwnAccountAsync(null)),
        ["UsageService.IngestAsync"] = new(ActorType.System, async w => ToResult(await w.Db.Service<UsageService>(null).IngestAsync(
            [BillingTestData.Record("coverage-1", w.ProjectId, "2026-10-15", "read_units", 10)]))),
    };

    public static TheoryData<string> ScenarioNames() => new(Scenarios.Keys.Order());

    [Fact]
    public void EveryMutatingServiceMethod_HasAnAuditScenario()
    {
        var mutating = typeof(Program).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("OrgConsole.Features", StringComparison.Ordinal) == true && t.Name.EndsWith("Service", StringComparison.Ordinal))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(m => (Type: t, Method: m)))
            .Where(x => x.Method.ReturnType.IsGenericType && x.Method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
                        && typeof(Result).IsAssignableFrom(x.Method.ReturnType.GetGenericArguments()[0]))
            .Where(x => !ReadPrefixes.Any(p => x.Method.Name.StartsWith(p, StringComparison.Ordinal)))
            .Select(x => $"{x.Type.Name}.{x.Method.Name}")
            .Distinct().Order().ToList();

        Assert.NotEmpty(mutating);
        var missing = mutating.Where(m => !Scenarios.ContainsKey(m) && !NotAudited.ContainsKey(m)).ToList();
        Assert.True(missing.Count == 0, "Mutating methods without an audit scenario: " + string.Join(", ", missing));
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(ScenarioNames))]
    public async Task EveryMutation_WritesExactlyOneEventPerOrganization_WithTheRightActorType(string name)
    {
        var scenario = Scenarios[name];
        var world = await WorldAsync();
        await using var _ = world.Db;
        if (scenario.Arrange is not null) await scenario.Arrange(world);
        var before = await SequencesAsync(world.Db);

        var result = await scenario.Act(world);

        Assert.True(result.IsSuccess, $"{name} did not succeed: {result.Error?.Message}");
        var after = await SequencesAsync(world.Db);
        var orgs = scenario.Orgs?.Invoke(world) ?? [world.OrgId];
        foreach (var org in orgs)
        {
            var added = await EventsSinceAsync(world.Db, org, before.GetValueOrDefault(AuditLog.ChainKeyOf(org)));
            var evt = Assert.Single(added);
            Assert.Equal(scenario.Actor, evt.ActorType);
            Assert.False(string.IsNullOrEmpty(evt.ActorId));
        }
        Assert.All(after.Where(kv => !orgs.Select(AuditLogKey).Contains(kv.Key) && kv.Key != AuditLog.PlatformChain && kv.Value != before.GetValueOrDefault(kv.Key)),
            kv => Assert.Fail($"{name} also wrote to chain {kv.Key}"));
    }

    private static string AuditLogKey(Guid org) => AuditLog.ChainKeyOf(org);

    private static async Task<World> WorldAsync()
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Coverage", "owner@coverage.example");
        await db.SetPlanAsync(orgId, Plan.Standard);
        var member = await db.AddMemberAsync(orgId, Role.OrgMember, "member@coverage.example");
        var projectId = (await db.Service<ProjectService>(owner).CreateAsync(orgId, "Search")).Value;
        await db.GrantAsync(orgId, member, Role.ProjectMember, projectId);
        await db.GrantAsync(orgId, await db.AddMemberAsync(orgId, Role.OrgMember, "second-owner@coverage.example"), Role.ProjectOwner, projectId);
        var key = (await db.Service<ApiKeyService>(owner).CreateAsync(orgId, projectId, "ci", null)).Value;
        var invitation = (await db.Service<InvitationService>(owner).InviteAsync(orgId, new InviteRequest(["invited@coverage.example"], Role.OrgMember))).Value.Invited[0];
        var staff = await db.CreateSupportStaffAsync("staff@coverage.example");
        var (other, _) = await db.CreateOrganizationAsync("Elsewhere", "owner@elsewhere.example");
        await db.SetPlanAsync(other, Plan.Standard);
        await db.GrantAsync(other, owner, Role.OrgOwner); // the customer who asks support to move a project owns both
        return new World(db, orgId, owner, member, projectId, key.Id, invitation.Id, staff, other);
    }

    private static async Task<Dictionary<string, long>> SequencesAsync(TestDb db)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        return await ctx.AuditEvents.GroupBy(e => e.ChainKey).Select(g => new { g.Key, Max = g.Max(e => e.Sequence) }).ToDictionaryAsync(x => x.Key, x => x.Max);
    }

    private static async Task<List<AuditEvent>> EventsSinceAsync(TestDb db, Guid org, long sequence)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        var chain = AuditLog.ChainKeyOf(org);
        return await ctx.AuditEvents.Where(e => e.ChainKey == chain && e.Sequence > sequence).ToListAsync();
    }

    private static Guid NewestOrganization(World w)
    {
        using var ctx = w.Db.DbFactory.CreateDbContext();
        return ctx.Organizations.Single(o => o.Name == "Founded").Id;
    }

    /// <summary>Test set-up that must not count as a mutation (a direct database change).</summary>
    private static async Task Unaudited(World w, Func<OrgConsole.Data.ApplicationDbContext, Task> change)
    {
        await using var ctx = await w.Db.DbFactory.CreateDbContextAsync();
        await change(ctx);
    }

    private static Result ToResult<T>(Result<T> result) => result.IsSuccess ? Result.Ok() : result.Error;
}
