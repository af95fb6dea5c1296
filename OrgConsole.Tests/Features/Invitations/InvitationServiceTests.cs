using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Members;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Invitations;

public class InvitationServiceTests
{
    private static InviteRequest Invite(params string[] emails) => new(emails, Role.OrgMember);

    [Fact(Timeout = 30_000)]
    public async Task Invite_SendsALinkWhoseTokenIsStoredOnlyAsAHash()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme");

        var outcome = await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("New.Person@Example.com"));

        Assert.True(outcome.IsSuccess, outcome.Error?.Message);
        var row = Assert.Single(outcome.Value.Invited);
        Assert.Equal(InvitationState.Pending, row.State);
        Assert.Equal(db.Time.GetUtcNow().UtcDateTime.AddDays(7), row.ExpiresAt);
        var mail = Assert.Single(db.Mail.Sent);
        Assert.Equal("New.Person@Example.com", mail.To);
        Assert.Contains("Acme", mail.Subject);
        Assert.StartsWith("https://console.test/invitations/accept?token=", mail.Link);
        Assert.True(Convert.FromBase64String(Pad(mail.Token)).Length * 8 >= 128);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        var stored = await ctx.Invitations.SingleAsync();
        Assert.NotEqual(mail.Token, stored.TokenHash);
        Assert.DoesNotContain(mail.Token, stored.TokenHash);
        Assert.Contains(await db.AuditEventsAsync(orgId), e => e.Action == "invitation.created" && !(e.After ?? "").Contains(mail.Token));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Role.OrgMember)]
    [InlineData(Role.OrgBillingAdmin)]
    public async Task OnlyOwners_InviteResendAndRevoke(Role role)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var invitation = (await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("a@test.example"))).Value.Invited[0];
        var actor = await db.AddMemberAsync(orgId, role);
        var invitations = db.Service<InvitationService>(actor);

        Assert.Equal(ErrorKind.Forbidden, (await invitations.InviteAsync(orgId, Invite("b@test.example"))).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await invitations.ResendAsync(orgId, invitation.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await invitations.RevokeAsync(orgId, invitation.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await invitations.ListAsync(orgId)).Error?.Kind);
        Assert.Single(db.Mail.Sent);
    }

    [Fact(Timeout = 30_000)]
    public async Task ForeignOrganizationsAndInvitations_AreNotFound()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var (otherOrg, otherOwner) = await db.CreateOrganizationAsync("Other");
        var theirs = (await db.Service<InvitationService>(otherOwner).InviteAsync(otherOrg, Invite("x@test.example"))).Value.Invited[0];
        var invitations = db.Service<InvitationService>(owner);

        Assert.Equal(ErrorKind.NotFound, (await invitations.InviteAsync(otherOrg, Invite("y@test.example"))).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await invitations.ResendAsync(orgId, theirs.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await invitations.RevokeAsync(orgId, theirs.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await invitations.GetAsync(orgId, theirs.Id)).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task Invite_ReportsEveryBadAddress_AndInvitesNobody()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await db.AddMemberAsync(orgId, Role.OrgMember, "member@test.example");
        var invitations = db.Service<InvitationService>(owner);
        Assert.True((await invitations.InviteAsync(orgId, Invite("pending@test.example"))).IsSuccess);

        var malformed = await invitations.InviteAsync(orgId, Invite("good@test.example", "not-an-email", "also bad@", "x@y"));
        var conflicts = await invitations.InviteAsync(orgId, Invite("good@test.example", "MEMBER@test.example", "Pending@Test.Example"));
        var single = await invitations.InviteAsync(orgId, Invite("member@test.example"));

        Assert.Equal(ErrorKind.Validation, malformed.Error?.Kind);
        Assert.Equal(new[] { "also bad@", "not-an-email", "x@y" }, malformed.Error?.Fields?.Keys.Order());
        Assert.Equal(ErrorKind.Conflict, conflicts.Error?.Kind);
        var conflictFields = conflicts.Error?.Fields ?? new Dictionary<string, string>();
        Assert.Contains("already a member", conflictFields["MEMBER@test.example"]);
        Assert.Contains("pending invitation", conflictFields["Pending@Test.Example"]);
        Assert.False(conflictFields.ContainsKey("good@test.example"));
        Assert.Equal(ErrorKind.Conflict, single.Error?.Kind);
        Assert.Single((await invitations.ListAsync(orgId)).Value);
        Assert.Single(db.Mail.Sent);
    }

    [Fact(Timeout = 30_000)]
    public async Task AnInvitesBindings_AddUp_AndOnAcceptanceEveryOneBecomesTheUsers()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var search = await db.AddProjectAsync(orgId, "Search");
        var ingest = await db.AddProjectAsync(orgId, "Ingest");
        var invitations = db.Service<InvitationService>(owner);
        var invite = (await invitations.InviteAsync(orgId, new InviteRequest(["many@test.example"], Role.OrgMember, [new(search, Role.ProjectMember)]))).Value.Invited[0];

        Assert.True((await invitations.AddRoleAsync(orgId, invite.Id, null, Role.OrgBillingAdmin)).IsSuccess);
        Assert.True((await invitations.AddRoleAsync(orgId, invite.Id, ingest, Role.ProjectOwner)).IsSuccess);
        Assert.True((await invitations.AddRoleAsync(orgId, invite.Id, search, Role.ProjectOwner)).IsSuccess);
        Assert.Equal(ErrorKind.Conflict, (await invitations.AddRoleAsync(orgId, invite.Id, search, Role.ProjectOwner)).Error?.Kind);
        Assert.Equal(ErrorKind.Validation, (await invitations.AddRoleAsync(orgId, invite.Id, null, Role.ProjectOwner)).Error?.Kind);
        Assert.Equal(ErrorKind.Validation, (await invitations.AddRoleAsync(orgId, invite.Id, search, Role.ProjectEditor)).Error?.Kind);

        var row = (await invitations.GetAsync(orgId, invite.Id)).Value;
        Assert.Equal([Role.OrgMember, Role.OrgBillingAdmin], row.OrgRoles);
        Assert.Equal(["Ingest (Project owner)", "Search (Project owner)", "Search (Project user)"], row.ProjectNames);

        var invitee = await db.CreateUserAsync("many@test.example");
        Assert.True((await db.Service<InvitationService>(invitee).AcceptAsync(db.Mail.Sent[^1].Token)).IsSuccess);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        var held = await ctx.RoleAssignments.Where(r => r.PrincipalType == PrincipalType.User && r.PrincipalId == invitee)
            .Select(r => new { r.ProjectId, r.Role }).ToListAsync();
        Assert.Equal(5, held.Count);
        Assert.Contains(new { ProjectId = (Guid?)null, Role = Role.OrgMember }, held);
        Assert.Contains(new { ProjectId = (Guid?)null, Role = Role.OrgBillingAdmin }, held);
        Assert.Contains(new { ProjectId = (Guid?)ingest, Role = Role.ProjectOwner }, held);
        Assert.Contains(new { ProjectId = (Guid?)search, Role = Role.ProjectOwner }, held);
        Assert.Contains(new { ProjectId = (Guid?)search, Role = Role.ProjectMember }, held);
        Assert.True((await db.Service<Authorizer>(invitee).DemandAsync(orgId, Permission.ViewBillingDetails)).IsSuccess);
        Assert.Equal(2, (await ctx.Organizations.SingleAsync(o => o.Id == orgId)).MemberCount);
        // An accepted invite is no principal any more: its bindings cannot change.
        Assert.Equal(ErrorKind.NotFound, (await invitations.AddRoleAsync(orgId, invite.Id, null, Role.OrgOwner)).Error?.Kind);
        Assert.Empty((await invitations.ListBindingsAsync(orgId, invite.Id)).Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task AnInvitesLastOrgBinding_CannotBeRemoved_AndAnotherOrgsInviteIsNotFound()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var (otherOrg, otherOwner) = await db.CreateOrganizationAsync("Other");
        var theirs = (await db.Service<InvitationService>(otherOwner).InviteAsync(otherOrg, Invite("x@test.example"))).Value.Invited[0];
        var theirBinding = (await db.Service<InvitationService>(otherOwner).ListBindingsAsync(otherOrg, theirs.Id)).Value.Single();
        var invitations = db.Service<InvitationService>(owner);
        var mine = (await invitations.InviteAsync(orgId, Invite("y@test.example"))).Value.Invited[0];
        var only = (await invitations.ListBindingsAsync(orgId, mine.Id)).Value.Single();

        Assert.Equal(ErrorKind.Conflict, (await invitations.RemoveRoleAsync(orgId, only.Id)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await invitations.AddRoleAsync(orgId, theirs.Id, null, Role.OrgOwner)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await invitations.RemoveRoleAsync(orgId, theirBinding.Id)).Error?.Kind);
        Assert.Empty((await invitations.ListBindingsAsync(orgId, theirs.Id)).Value);
        Assert.Equal(ErrorKind.NotFound, (await invitations.AddRoleAsync(otherOrg, theirs.Id, null, Role.OrgOwner)).Error?.Kind);

        var member = await db.AddMemberAsync(orgId, Role.OrgMember, "m@test.example");
        Assert.Equal(ErrorKind.Forbidden, (await db.Service<InvitationService>(member).AddRoleAsync(orgId, mine.Id, null, Role.OrgOwner)).Error?.Kind);

        var added = (await invitations.AddRoleAsync(orgId, mine.Id, null, Role.OrgOwner)).Value;
        Assert.True((await invitations.RemoveRoleAsync(orgId, only.Id)).IsSuccess);
        Assert.Equal(ErrorKind.Conflict, (await invitations.RemoveRoleAsync(orgId, added.Id)).Error?.Kind);
        Assert.Equal([Role.OrgOwner], (await invitations.GetAsync(orgId, mine.Id)).Value.OrgRoles);
        Assert.Single((await db.Service<InvitationService>(otherOwner).ListBindingsAsync(otherOrg, theirs.Id)).Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task Invite_ProjectRolesAreForUsersAndBillingAdminsOnly_AndGrantedOnAccept()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var projectId = await db.AddProjectAsync(orgId, "Search");
        var (otherOrg, _) = await db.CreateOrganizationAsync("Other");
        var foreignProject = await db.AddProjectAsync(otherOrg, "Theirs");
        var invitations = db.Service<InvitationService>(owner);

        var forOwner = await invitations.InviteAsync(orgId, new InviteRequest(["o@test.example"], Role.OrgOwner, [new(projectId, Role.ProjectMember)]));
        var foreign = await invitations.InviteAsync(orgId, new InviteRequest(["f@test.example"], Role.OrgMember, [new(foreignProject, Role.ProjectMember)]));
        var ok = await invitations.InviteAsync(orgId, new InviteRequest(["b@test.example"], Role.OrgBillingAdmin, [new(projectId, Role.ProjectMember)]));

        Assert.Equal(ErrorKind.Validation, forOwner.Error?.Kind);
        Assert.Equal(ErrorKind.Validation, foreign.Error?.Kind);
        Assert.True(ok.IsSuccess);
        Assert.Equal(["Search (Project user)"], ok.Value.Invited[0].ProjectNames);

        var invitee = await db.CreateUserAsync("b@test.example");
        Assert.True((await db.Service<InvitationService>(invitee).AcceptAsync(db.Mail.Sent[^1].Token)).IsSuccess);
        Assert.True((await db.Service<Authorizer>(invitee).DemandAsync(orgId, projectId, Permission.ViewApiKeys)).IsSuccess);
        Assert.True((await db.Service<Authorizer>(invitee).DemandAsync(orgId, Permission.ViewBillingDetails)).IsSuccess);
    }

    [Fact(Timeout = 30_000)]
    public async Task Accept_NeedsTheInvitedEmail_CaseInsensitive_AndSaysWhichOne()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("Invitee@Test.Example"));
        var token = db.Mail.Sent[0].Token;
        var stranger = await db.CreateUserAsync("someone.else@test.example");
        var invitee = await db.CreateUserAsync("invitee@test.example");

        var refused = await db.Service<InvitationService>(stranger).AcceptAsync(token);
        var anonymous = await db.Service<InvitationService>(null).AcceptAsync(token);
        var accepted = await db.Service<InvitationService>(invitee).AcceptAsync(token);

        Assert.Equal(ErrorKind.Forbidden, refused.Error?.Kind);
        Assert.Contains("Invitee@Test.Example", refused.Error?.Message);
        Assert.Equal(ErrorKind.Forbidden, anonymous.Error?.Kind);
        Assert.Equal(orgId, accepted.Value);
        Assert.Equal(Role.OrgMember, (await db.Service<Authorizer>(invitee).GetAccessAsync(orgId))!.Role);
        Assert.Null(await db.Service<Authorizer>(stranger).GetAccessAsync(orgId));
        Assert.Equal(InvitationLinkState.Accepted, (await db.Service<InvitationService>(null).PreviewAsync(token)).State);
    }

    [Fact(Timeout = 30_000)]
    public async Task Accept_IsIdempotentForTheSamePerson_AndSingleUseForOthers()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("twice@test.example"));
        var token = db.Mail.Sent[0].Token;
        var invitee = await db.CreateUserAsync("twice@test.example");

        Assert.True((await db.Service<InvitationService>(invitee).AcceptAsync(token)).IsSuccess);
        Assert.True((await db.Service<InvitationService>(invitee).AcceptAsync(token)).IsSuccess);

        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal(1, await ctx.RoleAssignments.CountAsync(r => r.OrganizationId == orgId && r.PrincipalId == invitee));
        Assert.Single(await db.AuditEventsAsync(orgId), e => e.Action == "invitation.accepted");
    }

    [Fact(Timeout = 120_000)]
    public async Task ParallelAcceptance_OfOneInvitation_CreatesExactlyOneMembership()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        for (var round = 0; round < 10; round++)
        {
            var email = $"racer{round}@test.example";
            await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite(email));
            var token = db.Mail.Sent[^1].Token;
            var invitee = await db.CreateUserAsync(email);

            var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => db.Service<InvitationService>(invitee).AcceptAsync(token))));

            Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.Message));
            await using var ctx = await db.DbFactory.CreateDbContextAsync();
            Assert.Equal(1, await ctx.RoleAssignments.CountAsync(r => r.OrganizationId == orgId && r.PrincipalId == invitee));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task ALink_ExpiresAfterSevenDays_AndExplainsItself()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme");
        await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("late@test.example"));
        var token = db.Mail.Sent[0].Token;
        var invitee = await db.CreateUserAsync("late@test.example");

        db.Time.Advance(TimeSpan.FromDays(7).Add(TimeSpan.FromSeconds(1)));

        Assert.Equal(InvitationLinkState.Expired, (await db.Service<InvitationService>(null).PreviewAsync(token)).State);
        var result = await db.Service<InvitationService>(invitee).AcceptAsync(token);
        Assert.Equal(ErrorKind.Conflict, result.Error?.Kind);
        Assert.Contains("expired", result.Error?.Message);
        Assert.Equal(InvitationState.Expired, (await db.Service<InvitationService>(owner).ListAsync(orgId)).Value.Single().State);
        Assert.Null(await db.Service<Authorizer>(invitee).GetAccessAsync(orgId));
    }

    [Fact(Timeout = 30_000)]
    public async Task Resend_IssuesANewTokenAndExpiry_AndKillsTheOldLink()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var invitations = db.Service<InvitationService>(owner);
        var invitation = (await invitations.InviteAsync(orgId, Invite("again@test.example"))).Value.Invited[0];
        var oldToken = db.Mail.Sent[0].Token;
        db.Time.Advance(TimeSpan.FromDays(8)); // expired: a resend revives it

        var resent = await invitations.ResendAsync(orgId, invitation.Id);

        Assert.True(resent.IsSuccess, resent.Error?.Message);
        Assert.Equal(InvitationState.Pending, resent.Value.State);
        Assert.Equal(db.Time.GetUtcNow().UtcDateTime.AddDays(7), resent.Value.ExpiresAt);
        var newToken = db.Mail.Sent[1].Token;
        Assert.NotEqual(oldToken, newToken);
        Assert.Equal(InvitationLinkState.NotFound, (await db.Service<InvitationService>(null).PreviewAsync(oldToken)).State);
        var invitee = await db.CreateUserAsync("again@test.example");
        Assert.Equal(ErrorKind.NotFound, (await db.Service<InvitationService>(invitee).AcceptAsync(oldToken)).Error?.Kind);
        Assert.True((await db.Service<InvitationService>(invitee).AcceptAsync(newToken)).IsSuccess);
        Assert.Equal(ErrorKind.Conflict, (await invitations.ResendAsync(orgId, invitation.Id)).Error?.Kind);
    }

    [Fact(Timeout = 60_000)]
    public async Task InvitationEmails_AreLimitedTo100PerOrganizationPerHour()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var invitations = db.Service<InvitationService>(owner);
        var first = await invitations.InviteAsync(orgId, Invite(Enumerable.Range(0, 60).Select(i => $"a{i}@test.example").ToArray()));
        db.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.True((await invitations.InviteAsync(orgId, Invite(Enumerable.Range(0, 40).Select(i => $"b{i}@test.example").ToArray()))).IsSuccess);

        var overInvite = await invitations.InviteAsync(orgId, Invite("c@test.example"));
        var overResend = await invitations.ResendAsync(orgId, first.Value.Invited[0].Id);

        Assert.Equal(ErrorKind.Quota, overInvite.Error?.Kind);
        Assert.Contains("100 per hour", overInvite.Error?.Message);
        Assert.Equal(ErrorKind.Quota, overResend.Error?.Kind);
        Assert.Equal(100, db.Mail.Sent.Count);

        db.Time.Advance(TimeSpan.FromMinutes(31)); // the first 60 are now more than an hour old
        Assert.True((await invitations.InviteAsync(orgId, Invite("c@test.example"))).IsSuccess);
        // Another organization has its own allowance.
        var (otherOrg, otherOwner) = await db.CreateOrganizationAsync("Other");
        Assert.True((await db.Service<InvitationService>(otherOwner).InviteAsync(otherOrg, Invite("d@test.example"))).IsSuccess);
    }

    [Fact(Timeout = 30_000)]
    public async Task Revoke_KillsTheLink_AndExplainsItself()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var invitation = (await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("gone@test.example"))).Value.Invited[0];
        var token = db.Mail.Sent[0].Token;

        Assert.True((await db.Service<InvitationService>(owner).RevokeAsync(orgId, invitation.Id)).IsSuccess);

        var invitee = await db.CreateUserAsync("gone@test.example");
        var result = await db.Service<InvitationService>(invitee).AcceptAsync(token);
        Assert.Equal(ErrorKind.Conflict, result.Error?.Kind);
        Assert.Contains("withdrawn", result.Error?.Message);
        Assert.Equal(InvitationLinkState.Revoked, (await db.Service<InvitationService>(null).PreviewAsync(token)).State);
        Assert.Equal(ErrorKind.Conflict, (await db.Service<InvitationService>(owner).RevokeAsync(orgId, invitation.Id)).Error?.Kind);
        // A new invitation to the same address is allowed after a revoke.
        Assert.True((await db.Service<InvitationService>(owner).InviteAsync(orgId, Invite("gone@test.example"))).IsSuccess);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-token")]
    public async Task UnknownLinks_AreNotFound(string? token)
    {
        await using var db = await TestDb.CreateAsync();
        var user = await db.CreateUserAsync("u@test.example");
        Assert.Equal(InvitationLinkState.NotFound, (await db.Service<InvitationService>(null).PreviewAsync(token)).State);
        Assert.Equal(ErrorKind.NotFound, (await db.Service<InvitationService>(user).AcceptAsync(token)).Error?.Kind);
    }

    [Fact]
    public void PastedListsAndCsvFiles_AreSplitIntoAddresses()
    {
        Assert.Equal(["a@x.io", "b@x.io", "c@x.io", "oops"], InvitationRules.ParseAddresses("a@x.io, b@x.io;c@x.io\n  oops \n A@X.IO"));
        Assert.Equal(["ann@x.io", "bob@x.io"], InvitationRules.ParseCsv("name,email\nAnn,ann@x.io\n\"Bob\",\"bob@x.io\"\n"));
    }

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
    }
}
