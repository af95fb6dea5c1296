using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Accounts;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Organizations;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Invitations;

/// <summary>
/// The invitations a signed-in person is offered in the console (the banner): only those addressed to their verified
/// email, pending and unexpired; accepting goes through the link's accept path; nobody can accept or decline another's.
/// </summary>
public class PendingInvitationTests
{
    private static InviteRequest Invite(string email, Role role = Role.OrgMember) => new([email], role);

    [Fact(Timeout = 30_000)]
    public async Task ASignedInPerson_SeesTheirPendingInvitations_WithWhoInvitedThem_AndAcceptingMakesThemAMember()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme", "olivia@acme.example");
        Assert.True((await Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<AccountService>(db.As(owner).ServiceProvider).SetDisplayNameAsync("Olivia Owner")).IsSuccess);
        var eli = await db.CreateUserAsync("eli@acme.example");
        Assert.True((await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("ELI@acme.example", Role.OrgBillingAdmin))).IsSuccess);

        var offered = Assert.Single(await db.Service<InvitationService>(eli).ListMineAsync());
        Assert.Equal("Acme", offered.OrganizationName);
        Assert.Equal(Role.OrgBillingAdmin, offered.Role);
        Assert.Equal("Olivia Owner (olivia@acme.example)", offered.InvitedBy);

        var accepted = await db.Service<InvitationService>(eli).AcceptMineAsync(offered.Id);

        Assert.True(accepted.IsSuccess, accepted.Error?.Message);
        Assert.Equal(orgId, accepted.Value);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.True(await ctx.RoleAssignments.AnyAsync(r => r.OrganizationId == orgId && r.PrincipalId == eli && r.ProjectId == null && r.Role == Role.OrgBillingAdmin));
        Assert.Equal(InvitationStatus.Accepted, (await ctx.Invitations.SingleAsync(i => i.Id == offered.Id)).Status);
        Assert.Contains(await db.AuditEventsAsync(orgId), e => e.Action == "invitation.accepted" && e.ActorId == eli);
        Assert.Empty(await db.Service<InvitationService>(eli).ListMineAsync());
        Assert.True((await db.Service<InvitationService>(eli).AcceptMineAsync(offered.Id)).IsSuccess); // a double click: still one membership
        Assert.Equal(1, await ctx.RoleAssignments.CountAsync(r => r.OrganizationId == orgId && r.PrincipalId == eli && r.ProjectId == null));
    }

    [Fact(Timeout = 30_000)]
    public async Task SomeoneElsesInvitation_IsNeitherOfferedNorAcceptableNorDeclinable_ById()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var invitation = (await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("victim@test.example"))).Value.Invited[0];
        var mallory = await db.CreateUserAsync("mallory@test.example");
        var invitations = db.Service<InvitationService>(mallory);

        Assert.Empty(await invitations.ListMineAsync());
        Assert.Equal(ErrorKind.NotFound, (await invitations.AcceptMineAsync(invitation.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await invitations.DeclineMineAsync(invitation.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await invitations.AcceptMineAsync(Guid.NewGuid())).Error?.Kind);
        await AssertStillPendingAsync(db, orgId, invitation.Id, mallory);
    }

    [Fact(Timeout = 30_000)]
    public async Task AnUnverifiedAddress_IsNotOffered_AndCannotAcceptById()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var invitation = (await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("claimed@test.example"))).Value.Invited[0];
        var squatter = await db.CreateUserAsync("claimed@test.example");
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Users.Where(u => u.Id == squatter).ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailConfirmed, false));
        }
        var invitations = db.Service<InvitationService>(squatter);

        Assert.Empty(await invitations.ListMineAsync());
        Assert.Equal(ErrorKind.NotFound, (await invitations.AcceptMineAsync(invitation.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await invitations.DeclineMineAsync(invitation.Id)).Error?.Kind);
        await AssertStillPendingAsync(db, orgId, invitation.Id, squatter);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExpiredAndRevokedInvitations_AndDeletedOrganizations_AreNotOffered_NorAccepted()
    {
        await using var db = await TestDb.CreateAsync();
        var (expiring, owner) = await db.CreateOrganizationAsync("Expiring");
        var (revoking, revoker) = await db.CreateOrganizationAsync("Revoking");
        var (deleting, deleter) = await db.CreateOrganizationAsync("Deleting");
        var expired = (await db.Service<InvitationService>(owner).InviteAsync(expiring, Invite("eli@test.example"))).Value.Invited[0];
        var revoked = (await db.Service<InvitationService>(revoker).InviteAsync(revoking, Invite("eli@test.example"))).Value.Invited[0];
        var orphaned = (await db.Service<InvitationService>(deleter).InviteAsync(deleting, Invite("eli@test.example"))).Value.Invited[0];
        var eli = await db.CreateUserAsync("eli@test.example");
        Assert.Equal(3, (await db.Service<InvitationService>(eli).ListMineAsync()).Count);

        Assert.True((await db.Service<InvitationService>(revoker).RevokeAsync(revoking, revoked.Id)).IsSuccess);
        Assert.True((await db.Service<OrganizationService>(deleter).DeleteAsync(deleting, "Deleting")).IsSuccess);
        db.Time.Advance(TimeSpan.FromDays(7).Add(TimeSpan.FromSeconds(1)));
        var invitations = db.Service<InvitationService>(eli);

        Assert.Empty(await invitations.ListMineAsync());
        Assert.Equal(ErrorKind.Conflict, (await invitations.AcceptMineAsync(expired.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.Conflict, (await invitations.AcceptMineAsync(revoked.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await invitations.AcceptMineAsync(orphaned.Id)).Error?.Kind);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.False(await ctx.RoleAssignments.AnyAsync(r => r.PrincipalId == eli));
    }

    [Fact(Timeout = 30_000)]
    public async Task Declining_WithdrawsTheInvitation_KillsItsLink_AndIsAudited()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var invitation = (await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("eli@test.example"))).Value.Invited[0];
        var eli = await db.CreateUserAsync("eli@test.example");
        var invitations = db.Service<InvitationService>(eli);

        var declined = await invitations.DeclineMineAsync(invitation.Id);

        Assert.True(declined.IsSuccess, declined.Error?.Message);
        Assert.Empty(await invitations.ListMineAsync());
        Assert.Equal(ErrorKind.Conflict, (await invitations.AcceptAsync(db.Mail.Sent[0].Token)).Error?.Kind);
        Assert.Equal(ErrorKind.Conflict, (await invitations.DeclineMineAsync(invitation.Id)).Error?.Kind);
        var row = Assert.Single((await db.Service<InvitationService>(owner).ListAsync(orgId)).Value);
        Assert.Equal(InvitationState.Revoked, row.State);
        Assert.Contains(await db.AuditEventsAsync(orgId), e => e.Action == "invitation.declined" && e.ActorId == eli && e.TargetId == invitation.Id.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task AnonymousVisitors_AreOfferedNothing()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var invitation = (await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("eli@test.example"))).Value.Invited[0];
        var anonymous = db.Service<InvitationService>(null);

        Assert.Empty(await anonymous.ListMineAsync());
        Assert.Equal(ErrorKind.Forbidden, (await anonymous.AcceptMineAsync(invitation.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await anonymous.DeclineMineAsync(invitation.Id)).Error?.Kind);
    }

    private static async Task AssertStillPendingAsync(TestDb db, Guid orgId, Guid invitationId, string userId)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal(InvitationStatus.Pending, (await ctx.Invitations.SingleAsync(i => i.Id == invitationId)).Status);
        Assert.False(await ctx.RoleAssignments.AnyAsync(r => r.OrganizationId == orgId && r.PrincipalId == userId));
        Assert.DoesNotContain(await db.AuditEventsAsync(orgId), e => e.ActorId == userId);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheBanner_CostsOneCommand_ItsRolesAndInviterIncluded()
    {
        var commands = new RecordedCommands();
        await using var db = await TestDb.CreateAsync(o => o.AddInterceptors(commands));
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme", "olivia@acme.example");
        var (otherId, otherOwner) = await db.CreateOrganizationAsync("Globex", "gus@globex.example");
        var eli = await db.CreateUserAsync("eli@acme.example");
        Assert.True((await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("eli@acme.example", Role.OrgBillingAdmin))).IsSuccess);
        Assert.True((await db.Service<InvitationService>(otherOwner).InviteAsync(otherId, Invite("eli@acme.example"))).IsSuccess);
        var invitations = db.Service<InvitationService>(eli);
        await invitations.ListMineAsync(); // compiled on first use

        commands.Watch();
        var offered = await invitations.ListMineAsync();

        Assert.Single(commands.Taken()); // the email, the invitations, their roles and inviters: one query (two before)
        var byName = offered.OrderBy(o => o.OrganizationName).ToList(); // both invited at the same instant of the test clock
        Assert.Equal(["Acme", "Globex"], byName.Select(o => o.OrganizationName));
        Assert.Equal([Role.OrgBillingAdmin, Role.OrgMember], byName.Select(o => o.Role));
        Assert.Equal(["olivia@acme.example", "gus@globex.example"], byName.Select(o => o.InvitedBy));
    }
}
