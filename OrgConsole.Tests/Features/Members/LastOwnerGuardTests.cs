using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Members;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Members;

public class LastOwnerGuardTests
{
    [Fact(Timeout = 30_000)]
    public async Task Demote_TheOnlyOwner_IsRefusedWithAnExplanation()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();

        var result = await db.Service<MemberService>(owner).ChangeRoleAsync(orgId, owner, Role.OrgMember);

        Assert.Equal(ErrorKind.Conflict, result.Error?.Kind);
        Assert.Contains("Promote another member to Owner first", result.Error?.Message);
        Assert.Equal(1, await db.OwnerCountAsync(orgId));
    }

    [Fact(Timeout = 30_000)]
    public async Task RemoveOrLeave_TheOnlyOwner_IsRefused()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();

        Assert.Equal(ErrorKind.Conflict, (await db.Service<MemberService>(owner).RemoveAsync(orgId, owner)).Error?.Kind);
        Assert.Equal(ErrorKind.Conflict, (await db.Service<MemberService>(owner).LeaveAsync(orgId)).Error?.Kind);
        Assert.Equal(1, await db.OwnerCountAsync(orgId));
    }

    [Fact(Timeout = 30_000)]
    public async Task Demote_AnOwner_WhenAnotherRemains_Succeeds()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var second = await db.AddMemberAsync(orgId, Role.OrgOwner);

        var result = await db.Service<MemberService>(second).ChangeRoleAsync(orgId, owner, Role.OrgMember);

        Assert.True(result.IsSuccess);
        Assert.Equal(1, await db.OwnerCountAsync(orgId));
        Assert.Contains(await db.AuditEventsAsync(orgId), e => e.Action == "member.role_changed" && e.TargetId == owner);
    }

    [Fact(Timeout = 30_000)]
    public async Task Remove_AlsoRemovesProjectRoles()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var project = await db.AddProjectAsync(orgId);
        var member = await db.AddMemberAsync(orgId, Role.OrgMember);
        await db.GrantAsync(orgId, member, Role.ProjectOwner, project);

        Assert.True((await db.Service<MemberService>(owner).RemoveAsync(orgId, member)).IsSuccess);

        Assert.Equal(ErrorKind.NotFound, (await db.Service<Authorizer>(member).DemandAsync(orgId, project, Permission.ViewProject)).Error?.Kind);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.DoesNotContain(ctx.RoleAssignments, r => r.PrincipalId == member);
    }

    [Fact(Timeout = 120_000)]
    public async Task ParallelMutualDemotions_NeverLeaveZeroOwners()
    {
        await using var db = await TestDb.CreateAsync();
        for (var round = 0; round < 25; round++)
        {
            var (orgId, first) = await db.CreateOrganizationAsync($"Round {round}");
            var second = await db.AddMemberAsync(orgId, Role.OrgOwner);

            var results = await Task.WhenAll(
                Task.Run(() => db.Service<MemberService>(first).ChangeRoleAsync(orgId, second, Role.OrgMember)),
                Task.Run(() => db.Service<MemberService>(second).ChangeRoleAsync(orgId, first, Role.OrgMember)));

            Assert.Equal(1, await db.OwnerCountAsync(orgId));
            Assert.Single(results, r => r.IsSuccess);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ParallelRemovalsAndLeaves_NeverLeaveZeroOwners()
    {
        await using var db = await TestDb.CreateAsync();
        for (var round = 0; round < 15; round++)
        {
            var (orgId, first) = await db.CreateOrganizationAsync($"Round {round}");
            var owners = new List<string> { first };
            for (var i = 0; i < 3; i++) owners.Add(await db.AddMemberAsync(orgId, Role.OrgOwner));

            // Every owner leaves and every owner removes the next one, all at once.
            var attempts = owners.Select((o, i) => Task.Run(async () => (Result)await db.Service<MemberService>(o).LeaveAsync(orgId)))
                .Concat(owners.Select((o, i) => Task.Run(async () => (Result)await db.Service<MemberService>(o).RemoveAsync(orgId, owners[(i + 1) % owners.Count]))));
            await Task.WhenAll(attempts);

            Assert.True(await db.OwnerCountAsync(orgId) >= 1, $"round {round} left the organization without an owner");
        }
    }
}
