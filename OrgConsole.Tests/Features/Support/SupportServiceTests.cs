using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Members;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Projects;
using OrgConsole.Features.Support;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Support;

public class SupportServiceTests
{
    private sealed record World(TestDb Db, Guid OrgId, string Owner, string Member, Guid ProjectId, Guid InvitationId, string Staff);

    private static async Task<World> WorldAsync()
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Support", "owner@acme-support.example");
        await db.SetPlanAsync(orgId, Plan.Standard);
        var member = await db.AddMemberAsync(orgId, Role.OrgMember, "member@acme-support.example");
        var projectId = (await db.Service<ProjectService>(owner).CreateAsync(orgId, "Search")).Value;
        await db.GrantAsync(orgId, member, Role.ProjectMember, projectId);
        var invitation = (await db.Service<InvitationService>(owner).InviteAsync(orgId, new InviteRequest(["new@acme-support.example"], Role.OrgMember))).Value.Invited[0];
        var staff = await db.CreateSupportStaffAsync();
        return new World(db, orgId, owner, member, projectId, invitation.Id, staff);
    }

    [Fact(Timeout = 30_000)]
    public async Task WithoutTheSupportRole_NothingOfTheConsoleWorks()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var support = w.Db.Service<SupportService>(w.Member);

        Assert.Equal(ErrorKind.Forbidden, (await support.SearchAsync("Acme")).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await support.OpenAsync(w.OrgId, "TICKET-1")).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await support.MoveProjectAsync(w.ProjectId, Guid.NewGuid(), "owner@acme-support.example", "TICKET-1")).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await support.ResendInvitationAsync(w.OrgId, w.InvitationId, "TICKET-1")).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await support.RestoreOrganizationAsync(w.OrgId, "TICKET-1")).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task SupportStaff_WithoutAnOpenVisit_SeeNothingOfAnOrganization()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;

        Assert.Equal(ErrorKind.NotFound, (await w.Db.Service<OrganizationService>(w.Staff).GetAsync(w.OrgId)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await w.Db.Service<MemberService>(w.Staff).SearchAsync(w.OrgId, new MemberQuery())).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task Search_FindsByNameIdAndMemberEmail()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var support = w.Db.Service<SupportService>(w.Staff);

        Assert.Equal(w.OrgId, Assert.Single((await support.SearchAsync("acme supp")).Value).Id);
        Assert.Equal(w.OrgId, Assert.Single((await support.SearchAsync(w.OrgId.ToString())).Value).Id);
        var byEmail = Assert.Single((await support.SearchAsync("member@acme-support")).Value);
        Assert.Contains("member@acme-support.example", byEmail.MatchedBy);
        Assert.Equal(ErrorKind.Validation, (await support.SearchAsync("a")).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task Opening_NeedsAReason_IsAudited_AndGivesReadOnlyAccess()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        await using var circuit = w.Db.As(w.Staff);
        var sp = circuit.ServiceProvider;
        var support = sp.GetRequiredService<SupportService>();

        Assert.Equal(ErrorKind.Validation, (await support.OpenAsync(w.OrgId, " ")).Error?.Kind);
        Assert.True((await support.OpenAsync(w.OrgId, "TICKET-42 customer cannot see invoices")).IsSuccess);

        var visit = Assert.Single(await w.Db.AuditEventsAsync(w.OrgId), e => e.Action == "support.accessed");
        Assert.Equal(ActorType.Support, visit.ActorType);
        Assert.Equal(w.Staff, visit.ActorId);
        Assert.Equal("TICKET-42 customer cannot see invoices", visit.Reason);

        // Reads work.
        Assert.True((await sp.GetRequiredService<OrganizationService>().GetAsync(w.OrgId)).IsSuccess);
        Assert.Equal(2, (await sp.GetRequiredService<MemberService>().SearchAsync(w.OrgId, new MemberQuery())).Value.TotalCount);
        Assert.Single((await sp.GetRequiredService<ProjectService>().ListAsync(w.OrgId)).Value);
        Assert.Single((await sp.GetRequiredService<InvitationService>().ListAsync(w.OrgId)).Value);
        Assert.True((await sp.GetRequiredService<ProjectMemberService>().ListAsync(w.OrgId, w.ProjectId)).IsSuccess);
        Assert.True((await sp.GetRequiredService<ApiKeyService>().ListAsync(w.OrgId, w.ProjectId)).IsSuccess);
        Assert.True((await sp.GetRequiredService<AuditQueryService>().SearchAsync(w.OrgId, new AuditQuery())).IsSuccess);
        Assert.True((await sp.GetRequiredService<OrgConsole.Features.Billing.InvoiceService>().ListAsync(w.OrgId)).IsSuccess);
        Assert.True((await sp.GetRequiredService<OrgConsole.Features.Billing.BillingService>().GetAsync(w.OrgId)).IsSuccess);

        // Every change is refused: the support session holds view permissions only.
        var refusals = new Result[]
        {
            await sp.GetRequiredService<OrganizationService>().RenameAsync(w.OrgId, "Hijacked"),
            await sp.GetRequiredService<OrganizationService>().DeleteAsync(w.OrgId, "Acme Support"),
            await sp.GetRequiredService<MemberService>().ChangeRoleAsync(w.OrgId, w.Member, Role.OrgOwner),
            await sp.GetRequiredService<MemberService>().RemoveAsync(w.OrgId, w.Member),
            await sp.GetRequiredService<MemberService>().TransferOwnershipAsync(w.OrgId, w.Member),
            await sp.GetRequiredService<InvitationService>().InviteAsync(w.OrgId, new InviteRequest(["x@acme-support.example"], Role.OrgMember)),
            await sp.GetRequiredService<InvitationService>().ResendAsync(w.OrgId, w.InvitationId),
            await sp.GetRequiredService<InvitationService>().RevokeAsync(w.OrgId, w.InvitationId),
            await sp.GetRequiredService<ProjectService>().CreateAsync(w.OrgId, "Mine"),
            await sp.GetRequiredService<ProjectService>().RenameAsync(w.OrgId, w.ProjectId, "Mine"),
            await sp.GetRequiredService<ProjectService>().DeleteAsync(w.OrgId, w.ProjectId, "Search"),
            await sp.GetRequiredService<ProjectMemberService>().AddAsync(w.OrgId, w.ProjectId, w.Owner, Role.ProjectMember),
            await sp.GetRequiredService<ProjectMemberService>().RemoveAsync(w.OrgId, w.ProjectId, w.Member),
            await sp.GetRequiredService<ApiKeyService>().CreateAsync(w.OrgId, w.ProjectId, "sneaky", null),
            await sp.GetRequiredService<OrgConsole.Features.Billing.BillingService>().UpdateSpendAlertAsync(w.OrgId, 1m, "x@acme-support.example"),
            await sp.GetRequiredService<OrgConsole.Features.Billing.BillingService>().ChangePlanAsync(w.OrgId, Plan.Enterprise),
        };
        Assert.All(refusals, r => Assert.Equal(ErrorKind.Forbidden, r.Error?.Kind));
        Assert.Equal("Acme Support", (await sp.GetRequiredService<OrganizationService>().GetAsync(w.OrgId)).Value.Name);
        Assert.DoesNotContain(await w.Db.AuditEventsAsync(w.OrgId), e => e.ActorType == ActorType.Support && e.Action != "support.accessed");
    }

    [Fact(Timeout = 30_000)]
    public async Task AVisit_CoversOnlyItsOrganization_AndEndsWhenTheRoleIsRevoked()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var (otherOrg, _) = await w.Db.CreateOrganizationAsync("Other Co");
        await using var circuit = w.Db.As(w.Staff);
        var sp = circuit.ServiceProvider;
        Assert.True((await sp.GetRequiredService<SupportService>().OpenAsync(w.OrgId, "TICKET-7")).IsSuccess);

        Assert.Equal(ErrorKind.NotFound, (await sp.GetRequiredService<OrganizationService>().GetAsync(otherOrg)).Error?.Kind);

        await using (var scope = w.Db.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            await users.RemoveFromRoleAsync((await users.FindByIdAsync(w.Staff))!, PlatformRoles.Support);
        }
        Assert.Equal(ErrorKind.NotFound, (await sp.GetRequiredService<OrganizationService>().GetAsync(w.OrgId)).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task AVisit_LastsAcrossReloadsForItsTime_AndReopeningItWritesNoSecondAccessEvent()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        await using (var firstTab = w.Db.As(w.Staff))
        {
            Assert.True((await firstTab.ServiceProvider.GetRequiredService<SupportService>().OpenAsync(w.OrgId, "TICKET-21")).IsSuccess);
        }

        // A reload or a new tab is a new circuit, acting as the plain signed-in person: the visit continues.
        w.Db.Time.Advance(TimeSpan.FromMinutes(30));
        await using (var reloaded = w.Db.As(w.Staff))
        {
            var sp = reloaded.ServiceProvider;
            Assert.True((await sp.GetRequiredService<OrganizationService>().GetAsync(w.OrgId)).IsSuccess);
            var visit = await sp.GetRequiredService<SupportService>().CurrentVisitAsync(w.OrgId);
            Assert.Equal("TICKET-21", visit?.Reason);
            var reopened = await sp.GetRequiredService<SupportService>().OpenAsync(w.OrgId, "TICKET-21 again");
            Assert.Equal("TICKET-21", reopened.Value.Reason);
            Assert.Equal(ErrorKind.Forbidden, (await sp.GetRequiredService<OrganizationService>().RenameAsync(w.OrgId, "Hijacked")).Error?.Kind);
        }
        Assert.Single(await w.Db.AuditEventsAsync(w.OrgId), e => e.Action == "support.accessed");

        // Bounded: after 60 minutes from opening (re-opening did not extend it) the visit is over.
        w.Db.Time.Advance(TimeSpan.FromMinutes(30));
        await using (var later = w.Db.As(w.Staff))
        {
            Assert.Equal(ErrorKind.NotFound, (await later.ServiceProvider.GetRequiredService<OrganizationService>().GetAsync(w.OrgId)).Error?.Kind);
            Assert.Null(await later.ServiceProvider.GetRequiredService<SupportService>().CurrentVisitAsync(w.OrgId));
            Assert.True((await later.ServiceProvider.GetRequiredService<SupportService>().OpenAsync(w.OrgId, "TICKET-22")).IsSuccess);
        }
        Assert.Equal(["TICKET-21", "TICKET-22"], (await w.Db.AuditEventsAsync(w.OrgId)).Where(e => e.Action == "support.accessed").Select(e => e.Reason));
    }

    [Fact(Timeout = 30_000)]
    public async Task AVisit_EndsWhenClosed_InEveryTab_AndItsLengthIsConfigurable()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        await using (var tab = w.Db.As(w.Staff))
        {
            var support = tab.ServiceProvider.GetRequiredService<SupportService>();
            Assert.True((await support.OpenAsync(w.OrgId, "TICKET-31")).IsSuccess);
            Assert.True((await support.CloseAsync(w.OrgId)).IsSuccess);
        }
        Assert.Equal(ErrorKind.NotFound, (await w.Db.Service<OrganizationService>(w.Staff).GetAsync(w.OrgId)).Error?.Kind);

        await using var scope = w.Db.As(w.Staff);
        var sp = scope.ServiceProvider;
        var shortVisits = new SupportService(w.Db.DbFactory, sp.GetRequiredService<ActorAccessor>(), sp.GetRequiredService<AuditLog>(), w.Db.Time,
            sp.GetRequiredService<InvitationService>(), Microsoft.Extensions.Options.Options.Create(new SupportOptions { VisitMinutes = 5 }));
        var visit = (await shortVisits.OpenAsync(w.OrgId, "TICKET-32")).Value;
        Assert.Equal(w.Db.Time.GetUtcNow().UtcDateTime.AddMinutes(5), visit.ExpiresAt);
        w.Db.Time.Advance(TimeSpan.FromMinutes(4));
        Assert.True((await sp.GetRequiredService<OrganizationService>().GetAsync(w.OrgId)).IsSuccess);
        w.Db.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(ErrorKind.NotFound, (await sp.GetRequiredService<OrganizationService>().GetAsync(w.OrgId)).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task AnotherStaffMembersVisit_GivesNoAccess()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var colleague = await w.Db.CreateSupportStaffAsync("colleague@test.example");
        Assert.True((await w.Db.Service<SupportService>(w.Staff).OpenAsync(w.OrgId, "TICKET-41")).IsSuccess);

        Assert.Equal(ErrorKind.NotFound, (await w.Db.Service<OrganizationService>(colleague).GetAsync(w.OrgId)).Error?.Kind);
        Assert.Null(await w.Db.Service<SupportService>(colleague).CurrentVisitAsync(w.OrgId));
    }

    private const string CustomerEmail = "owner@acme-support.example";

    /// <summary>An organization the customer (the source's Owner) also owns, where the move rules allow a project to go.</summary>
    private static async Task<Guid> SharedTargetAsync(World w, string name = "Target Co", Plan plan = Plan.Standard)
    {
        var (target, _) = await w.Db.CreateOrganizationAsync(name, $"owner@{Guid.NewGuid():N}.example");
        await w.Db.SetPlanAsync(target, plan);
        await w.Db.GrantAsync(target, w.Owner, Role.OrgOwner);
        return target;
    }

    [Fact(Timeout = 30_000)]
    public async Task MovingAProject_KeepsTargetMembersAccess_RemovesOthers_RevokesKeysAndBindings_AndIsAuditedOnBothSides()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        await w.Db.SetPlanAsync(w.OrgId, Plan.Enterprise);
        var target = await SharedTargetAsync(w, plan: Plan.Enterprise);
        // One project member also belongs to the target organization; the other does not.
        var both = await w.Db.AddMemberAsync(w.OrgId, Role.OrgMember, "both@acme-support.example");
        await w.Db.GrantAsync(target, both, Role.OrgMember);
        await w.Db.GrantAsync(w.OrgId, both, Role.ProjectOwner, w.ProjectId);
        var key = (await w.Db.Service<ApiKeyService>(w.Owner).CreateAsync(w.OrgId, w.ProjectId, "ci", null)).Value;
        var accounts = w.Db.Service<OrgConsole.Features.ServiceAccounts.ServiceAccountService>(w.Owner);
        var account = (await accounts.CreateAsync(w.OrgId, "deployer", Role.OrgMember)).Value.Account;
        Assert.True((await accounts.ConnectProjectAsync(w.OrgId, account.Id, w.ProjectId, Role.ProjectMember)).IsSuccess);

        Assert.Equal(ErrorKind.Validation, (await w.Db.Service<SupportService>(w.Staff).MoveProjectAsync(w.ProjectId, target, CustomerEmail, "")).Error?.Kind);
        var moved = await w.Db.Service<SupportService>(w.Staff).MoveProjectAsync(w.ProjectId, target, " OWNER@acme-support.example ", "TICKET-9 merge");
        Assert.True(moved.IsSuccess, moved.Error?.Message);

        Assert.Equal(ErrorKind.NotFound, (await w.Db.Service<ProjectService>(w.Owner).GetAsync(w.OrgId, w.ProjectId)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await w.Db.Service<Authorizer>(w.Member).DemandAsync(target, w.ProjectId, Permission.ViewProject)).Error?.Kind);
        Assert.True((await w.Db.Service<Authorizer>(both).DemandAsync(target, w.ProjectId, Permission.CreateApiKeys)).IsSuccess);
        Assert.True((await w.Db.Service<Authorizer>(w.Owner).DemandAsync(target, w.ProjectId, Permission.DeleteProject)).IsSuccess);
        // The key stops working, and the service account keeps no binding to the moved project.
        Assert.Null(await w.Db.Service<ApiKeyService>(null).VerifyAsync(key.Value));
        await using (var ctx = await w.Db.DbFactory.CreateDbContextAsync())
        {
            Assert.False(await ctx.ApiKeys.AnyAsync(k => k.ProjectId == w.ProjectId));
            Assert.False(await ctx.RoleAssignments.AnyAsync(r => r.ProjectId == w.ProjectId && r.PrincipalType != PrincipalType.User));
        }

        var outEvent = Assert.Single(await w.Db.AuditEventsAsync(w.OrgId), e => e.Action == "project.moved_out");
        var inEvent = Assert.Single(await w.Db.AuditEventsAsync(target), e => e.Action == "project.moved_in");
        Assert.All([outEvent, inEvent], e => Assert.Equal((ActorType.Support, "TICKET-9 merge"), (e.ActorType, e.Reason)));
        Assert.Contains("member@acme-support.example", outEvent.After);
        Assert.Contains("\"ci\"", outEvent.After);
        Assert.Contains("deployer", outEvent.After);
        Assert.True((await w.Db.Service<AuditLog>(null).VerifyAsync(w.OrgId)).IsIntact);
        Assert.True((await w.Db.Service<AuditLog>(null).VerifyAsync(target)).IsIntact);
    }

    [Fact(Timeout = 30_000)]
    public async Task MovingAProject_IsRefusedOnANameClashOrAFullPlan()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var clash = await SharedTargetAsync(w, "Clash Co");
        await w.Db.AddProjectAsync(clash, "search");
        var full = await SharedTargetAsync(w, "Full Co", Plan.Starter); // Starter: one project
        await w.Db.AddProjectAsync(full, "Existing");
        var support = w.Db.Service<SupportService>(w.Staff);

        Assert.Equal(ErrorKind.Conflict, (await support.MoveProjectAsync(w.ProjectId, clash, CustomerEmail, "TICKET")).Error?.Kind);
        Assert.Equal(ErrorKind.Quota, (await support.MoveProjectAsync(w.ProjectId, full, CustomerEmail, "TICKET")).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await support.MoveProjectAsync(w.ProjectId, Guid.NewGuid(), CustomerEmail, "TICKET")).Error?.Kind);
        Assert.True((await w.Db.Service<ProjectService>(w.Owner).GetAsync(w.OrgId, w.ProjectId)).IsSuccess);
    }

    [Fact(Timeout = 30_000)]
    public async Task MovingAProject_IsRefusedUnlessTheNamedPersonOwnsBothOrganizations()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var (stranger, _) = await w.Db.CreateOrganizationAsync("Stranger Co", "boss@stranger.example");
        await w.Db.SetPlanAsync(stranger, Plan.Standard);
        await w.Db.GrantAsync(stranger, w.Member, Role.OrgOwner); // owns the target, but is only a User of the source
        var key = (await w.Db.Service<ApiKeyService>(w.Owner).CreateAsync(w.OrgId, w.ProjectId, "ci", null)).Value;
        var support = w.Db.Service<SupportService>(w.Staff);

        foreach (var named in new[] { "", "   ", "not-an-email", CustomerEmail, "boss@stranger.example", "member@acme-support.example", "nobody@nowhere.example" })
        {
            var refused = await support.MoveProjectAsync(w.ProjectId, stranger, named, "TICKET-13");
            Assert.Equal(ErrorKind.Validation, refused.Error?.Kind);
            Assert.NotNull(refused.Error?.For(SupportService.MoveOwnerField));
        }

        Assert.True((await w.Db.Service<ProjectService>(w.Owner).GetAsync(w.OrgId, w.ProjectId)).IsSuccess);
        Assert.NotNull(await w.Db.Service<ApiKeyService>(null).VerifyAsync(key.Value));
        Assert.DoesNotContain(await w.Db.AuditEventsAsync(w.OrgId), e => e.Action == "project.moved_out");
        Assert.DoesNotContain(await w.Db.AuditEventsAsync(stranger), e => e.Action == "project.moved_in");
    }

    [Fact(Timeout = 30_000)]
    public async Task SupportStaff_CannotTakeACustomersProject_IntoTheirOwnOrganization()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var key = (await w.Db.Service<ApiKeyService>(w.Owner).CreateAsync(w.OrgId, w.ProjectId, "ci", null)).Value;
        var support = w.Db.Service<SupportService>(w.Staff);

        // The attack of issue 12: support creates an organization of their own and moves the customer's project into it.
        var own = await w.Db.Service<OrganizationService>(w.Staff).CreateAsync("Staff Side Project");
        Assert.True(own.IsSuccess, own.Error?.Message);
        await w.Db.SetPlanAsync(own.Value, Plan.Standard);
        foreach (var named in new[] { CustomerEmail, "support@test.example" })
        {
            Assert.False((await support.MoveProjectAsync(w.ProjectId, own.Value, named, "TICKET-66")).IsSuccess);
        }

        // Even when the customer also owns it: an organization the staff member belongs to is never a target, whatever their role.
        await w.Db.GrantAsync(own.Value, w.Owner, Role.OrgOwner);
        var refused = await support.MoveProjectAsync(w.ProjectId, own.Value, CustomerEmail, "TICKET-66");
        Assert.Equal(ErrorKind.Forbidden, refused.Error?.Kind);

        var shared = await SharedTargetAsync(w, "Shared Co");
        var sharedProject = await w.Db.AddProjectAsync(shared, "Other");
        await w.Db.GrantAsync(shared, w.Staff, Role.ProjectMember, sharedProject); // a project role only
        Assert.Equal(ErrorKind.Forbidden, (await support.MoveProjectAsync(w.ProjectId, shared, CustomerEmail, "TICKET-66")).Error?.Kind);

        Assert.True((await w.Db.Service<ProjectService>(w.Owner).GetAsync(w.OrgId, w.ProjectId)).IsSuccess);
        Assert.NotNull(await w.Db.Service<ApiKeyService>(null).VerifyAsync(key.Value));
        Assert.DoesNotContain(await w.Db.AuditEventsAsync(own.Value), e => e.Action == "project.moved_in");
    }

    [Fact(Timeout = 30_000)]
    public async Task ResendingAnInvitation_IsAuditedAsSupportWithTheReason()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;

        Assert.True((await w.Db.Service<SupportService>(w.Staff).ResendInvitationAsync(w.OrgId, w.InvitationId, "TICKET-5 lost email")).IsSuccess);

        Assert.Equal(2, w.Db.Mail.Sent.Count(m => m.To == "new@acme-support.example"));
        var resent = Assert.Single(await w.Db.AuditEventsAsync(w.OrgId), e => e.Action == "invitation.resent");
        Assert.Equal((ActorType.Support, "TICKET-5 lost email"), (resent.ActorType, resent.Reason));
    }

    [Fact(Timeout = 30_000)]
    public async Task Restore_WorksWithinRetention_AndIsRefusedClearlyAfterThePurge()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        await w.Db.Service<ProjectService>(w.Owner).DeleteAsync(w.OrgId, w.ProjectId, "Search");
        Assert.True((await w.Db.Service<OrganizationService>(w.Owner).DeleteAsync(w.OrgId, "Acme Support")).IsSuccess);
        var support = w.Db.Service<SupportService>(w.Staff);

        w.Db.Time.Advance(TimeSpan.FromDays(10));
        Assert.True((await support.RestoreOrganizationAsync(w.OrgId, "TICKET-11 deleted by mistake")).IsSuccess);
        Assert.True((await w.Db.Service<OrganizationService>(w.Member).GetAsync(w.OrgId)).IsSuccess);
        Assert.Equal(ErrorKind.Conflict, (await support.RestoreOrganizationAsync(w.OrgId, "TICKET-11")).Error?.Kind);

        Assert.True((await w.Db.Service<OrganizationService>(w.Owner).DeleteAsync(w.OrgId, "Acme Support")).IsSuccess);
        w.Db.Time.Advance(TimeSpan.FromDays(31));
        Assert.Equal(1, await w.Db.Service<OrganizationService>(null).PurgeExpiredAsync());
        var refused = await support.RestoreOrganizationAsync(w.OrgId, "TICKET-12");

        Assert.Equal(ErrorKind.Conflict, refused.Error?.Kind);
        Assert.Contains("removed for good", refused.Error?.Message);
        Assert.Contains(await w.Db.AuditEventsAsync(w.OrgId), e => e.Action == "organization.restored" && e.ActorType == ActorType.Support);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheOperatorCommand_GrantsListsAndRevokesTheSupportRole()
    {
        await using var db = await TestDb.CreateAsync();
        await db.CreateUserAsync("helper@test.example");
        await using var scope = db.Services.CreateAsyncScope();
        var output = new StringWriter();

        Assert.Equal(1, await SupportStaffCommand.RunAsync(scope.ServiceProvider, "grant", "nobody@test.example", output));
        Assert.Equal(0, await SupportStaffCommand.RunAsync(scope.ServiceProvider, "grant", "helper@test.example", output));
        Assert.Equal(0, await SupportStaffCommand.RunAsync(scope.ServiceProvider, "list", null, output));
        Assert.Contains("helper@test.example", output.ToString());
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.True(await users.IsInRoleAsync((await users.FindByEmailAsync("helper@test.example"))!, PlatformRoles.Support));

        Assert.Equal(0, await SupportStaffCommand.RunAsync(scope.ServiceProvider, "revoke", "helper@test.example", output));
        Assert.False(await users.IsInRoleAsync((await users.FindByEmailAsync("helper@test.example"))!, PlatformRoles.Support));
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal(2, await ctx.AuditEvents.CountAsync(e => e.ChainKey == AuditLog.PlatformChain && e.Action.StartsWith("support.role_")));
    }
}
