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
        Assert.Equal(ErrorKind.Forbidden, (await support.MoveProjectAsync(w.ProjectId, Guid.NewGuid(), "TICKET-1")).Error?.Kind);
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
    public async Task MovingAProject_KeepsTargetMembersAccess_RemovesOthers_AndIsAuditedOnBothSides()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var (target, targetOwner) = await w.Db.CreateOrganizationAsync("Target Co", "owner@target.example");
        await w.Db.SetPlanAsync(target, Plan.Standard);
        // One project member also belongs to the target organization; the other does not.
        var both = await w.Db.AddMemberAsync(w.OrgId, Role.OrgMember, "both@acme-support.example");
        await w.Db.GrantAsync(target, both, Role.OrgMember);
        await w.Db.GrantAsync(w.OrgId, both, Role.ProjectOwner, w.ProjectId);
        var key = (await w.Db.Service<ApiKeyService>(w.Owner).CreateAsync(w.OrgId, w.ProjectId, "ci", null)).Value;

        Assert.Equal(ErrorKind.Validation, (await w.Db.Service<SupportService>(w.Staff).MoveProjectAsync(w.ProjectId, target, "")).Error?.Kind);
        Assert.True((await w.Db.Service<SupportService>(w.Staff).MoveProjectAsync(w.ProjectId, target, "TICKET-9 merge")).IsSuccess);

        Assert.Equal(ErrorKind.NotFound, (await w.Db.Service<ProjectService>(w.Owner).GetAsync(w.OrgId, w.ProjectId)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await w.Db.Service<Authorizer>(w.Member).DemandAsync(target, w.ProjectId, Permission.ViewProject)).Error?.Kind);
        Assert.True((await w.Db.Service<Authorizer>(both).DemandAsync(target, w.ProjectId, Permission.CreateApiKeys)).IsSuccess);
        Assert.True((await w.Db.Service<Authorizer>(targetOwner).DemandAsync(target, w.ProjectId, Permission.DeleteProject)).IsSuccess);
        Assert.Equal(target, (await w.Db.Service<ApiKeyService>(null).VerifyAsync(key.Value))!.OrganizationId);

        var outEvent = Assert.Single(await w.Db.AuditEventsAsync(w.OrgId), e => e.Action == "project.moved_out");
        var inEvent = Assert.Single(await w.Db.AuditEventsAsync(target), e => e.Action == "project.moved_in");
        Assert.All([outEvent, inEvent], e => Assert.Equal((ActorType.Support, "TICKET-9 merge"), (e.ActorType, e.Reason)));
        Assert.Contains("member@acme-support.example", outEvent.After);
        Assert.True((await w.Db.Service<AuditLog>(null).VerifyAsync(w.OrgId)).IsIntact);
        Assert.True((await w.Db.Service<AuditLog>(null).VerifyAsync(target)).IsIntact);
    }

    [Fact(Timeout = 30_000)]
    public async Task MovingAProject_IsRefusedOnANameClashOrAFullPlan()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var (clash, _) = await w.Db.CreateOrganizationAsync("Clash Co");
        await w.Db.AddProjectAsync(clash, "search");
        var (full, _) = await w.Db.CreateOrganizationAsync("Full Co"); // Starter: one project
        await w.Db.AddProjectAsync(full, "Existing");
        var support = w.Db.Service<SupportService>(w.Staff);

        Assert.Equal(ErrorKind.Conflict, (await support.MoveProjectAsync(w.ProjectId, clash, "TICKET")).Error?.Kind);
        Assert.Equal(ErrorKind.Quota, (await support.MoveProjectAsync(w.ProjectId, full, "TICKET")).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await support.MoveProjectAsync(w.ProjectId, Guid.NewGuid(), "TICKET")).Error?.Kind);
        Assert.True((await w.Db.Service<ProjectService>(w.Owner).GetAsync(w.OrgId, w.ProjectId)).IsSuccess);
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
        Assert.Contains("removed for good", refused.Error!.Message);
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
