using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.ServiceAccounts;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.ServiceAccounts;

public class ServiceAccountServiceTests
{
    private static async Task<(TestDb Db, Guid OrgId, string Owner)> EnterpriseOrgAsync()
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, Plan.Enterprise);
        return (db, orgId, owner);
    }

    [Fact(Timeout = 60_000)]
    public async Task Create_WhileADowngradeLands_ChecksThePlanInsideTheWriteTransaction()
    {
        var (db, orgId, owner) = await EnterpriseOrgAsync();
        await using var _ = db;
        await using var otherWriter = await WriteLockHolder.TakeAsync(db);

        // The create passes the early plan check, then waits for the write lock while the downgrade commits.
        var creating = Task.Run(() => db.Service<ServiceAccountService>(owner).CreateAsync(orgId, "racer", Role.OrgMember));
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        await otherWriter.SetPlanAsync(Plan.Standard);
        await otherWriter.CommitAsync();
        var created = await creating;

        Assert.Equal(ErrorKind.Quota, created.Error?.Kind);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.False(await ctx.ServiceAccounts.AnyAsync(a => a.OrganizationId == orgId));
    }

    [Fact(Timeout = 30_000)]
    public async Task Create_ReturnsTheSecretOnce_AndStoresOnlyItsHash()
    {
        var (db, orgId, owner) = await EnterpriseOrgAsync();
        await using var _ = db;

        var created = await db.Service<ServiceAccountService>(owner).CreateAsync(orgId, "  CI deploys ", Role.OrgMember);

        Assert.True(created.IsSuccess, created.Error?.Message);
        Assert.Equal("CI deploys", created.Value.Account.Name);
        Assert.Equal(Role.OrgMember, created.Value.Account.Role);
        Assert.StartsWith(ServiceAccountService.SecretPrefix, created.Value.ClientSecret);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        var stored = await ctx.ServiceAccounts.SingleAsync();
        Assert.NotEqual(created.Value.ClientSecret, stored.SecretHash);
        Assert.Equal(ServiceAccountService.Hash(created.Value.ClientSecret), stored.SecretHash);
        var events = await db.AuditEventsAsync(orgId);
        Assert.Contains(events, e => e.Action == "service_account.created");
        Assert.DoesNotContain(events, e => (e.After ?? "").Contains(created.Value.ClientSecret));
        var role = await ctx.RoleAssignments.SingleAsync(r => r.PrincipalType == PrincipalType.ServiceAccount);
        Assert.Null(role.ProjectId);
        Assert.Equal(stored.Id.ToString(), role.PrincipalId);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Plan.Starter)]
    [InlineData(Plan.Standard)]
    public async Task Create_OnAPlanWithoutServiceAccounts_IsAQuotaErrorThatSaysHowToUpgrade(Plan plan)
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        await db.SetPlanAsync(orgId, plan);

        var result = await db.Service<ServiceAccountService>(owner).CreateAsync(orgId, "ci", Role.OrgMember);

        Assert.Equal(ErrorKind.Quota, result.Error?.Kind);
        Assert.Contains("Enterprise", result.Error?.Message);
        Assert.Contains("upgrade", result.Error?.Message);
        Assert.True(result.Error?.IsPlanGate); // pages link it to Billing → Plan
    }

    [Theory(Timeout = 30_000)]
    [InlineData(Role.OrgMember)]
    [InlineData(Role.OrgBillingAdmin)]
    public async Task NonOwners_AreForbidden_AndStrangersSeeNothing(Role role)
    {
        var (db, orgId, owner) = await EnterpriseOrgAsync();
        await using var _ = db;
        var member = await db.AddMemberAsync(orgId, role);
        var stranger = await db.CreateUserAsync("stranger@test.example");

        Assert.Equal(ErrorKind.Forbidden, (await db.Service<ServiceAccountService>(member).CreateAsync(orgId, "ci", Role.OrgMember)).Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await db.Service<ServiceAccountService>(member).ListAsync(orgId)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await db.Service<ServiceAccountService>(stranger).ListAsync(orgId)).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task Rename_ChangeRole_AndValidation()
    {
        var (db, orgId, owner) = await EnterpriseOrgAsync();
        await using var _ = db;
        var service = db.Service<ServiceAccountService>(owner);
        var id = (await service.CreateAsync(orgId, "ci", Role.OrgMember)).Value.Account.Id;

        Assert.Equal("deploys", (await service.RenameAsync(orgId, id, "deploys")).Value.Name);
        Assert.Equal("Name", (await service.RenameAsync(orgId, id, new string('x', 81))).Error?.Fields?.Keys.Single());
        Assert.Equal("Name", (await service.RenameAsync(orgId, id, "  ")).Error?.Fields?.Keys.Single());
        Assert.True((await service.ChangeRoleAsync(orgId, id, Role.OrgOwner)).IsSuccess);
        Assert.Equal(Role.OrgOwner, (await service.GetAsync(orgId, id)).Value.Role);
        Assert.Equal(ErrorKind.Validation, (await service.ChangeRoleAsync(orgId, id, Role.ProjectOwner)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.RenameAsync(orgId, Guid.NewGuid(), "x")).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task Authenticate_AcceptsTheCurrentSecretOnly_AndRotationKillsTheOldOne()
    {
        var (db, orgId, owner) = await EnterpriseOrgAsync();
        await using var _ = db;
        var service = db.Service<ServiceAccountService>(owner);
        var created = (await service.CreateAsync(orgId, "ci", Role.OrgMember)).Value;
        var clientId = created.Account.ClientId;

        var identity = (await service.AuthenticateAsync(clientId, created.ClientSecret)).Value;
        Assert.Equal(created.Account.Id, identity.Id);
        Assert.Equal(ServiceAccountService.InvalidClient, (await service.AuthenticateAsync(clientId, created.ClientSecret + "x")).Error);
        Assert.Equal(ServiceAccountService.InvalidClient, (await service.AuthenticateAsync("nope", created.ClientSecret)).Error);

        var rotated = (await service.RotateSecretAsync(orgId, created.Account.Id)).Value;
        Assert.NotEqual(created.ClientSecret, rotated.ClientSecret);
        Assert.Equal(ServiceAccountService.InvalidClient, (await service.AuthenticateAsync(clientId, created.ClientSecret)).Error);
        Assert.True((await service.AuthenticateAsync(clientId, rotated.ClientSecret)).IsSuccess);
        Assert.Null(await service.FindActiveAsync(identity.Id, identity.SecretStamp));

        await db.SetPlanAsync(orgId, Plan.Standard);
        var refused = (await service.AuthenticateAsync(clientId, rotated.ClientSecret)).Error;
        // The one plan-gate refusal, the same as creating an account on that plan (pages and the token endpoint show it alike).
        Assert.True(refused?.IsPlanGate);
        Assert.Equal((await service.CreateAsync(orgId, "another", Role.OrgMember)).Error, refused);
    }

    [Fact(Timeout = 30_000)]
    public async Task Delete_NeedsTheTypedName_AndRemovesEveryRoleAssignment()
    {
        var (db, orgId, owner) = await EnterpriseOrgAsync();
        await using var _ = db;
        var service = db.Service<ServiceAccountService>(owner);
        var project = await db.AddProjectAsync(orgId);
        var created = (await service.CreateAsync(orgId, "ci", Role.OrgMember, [new ProjectGrant(project, Role.ProjectMember)])).Value;
        Assert.Equal(1, created.Account.ProjectCount);

        Assert.Equal("ConfirmationName", (await service.DeleteAsync(orgId, created.Account.Id, "CI")).Error?.Fields?.Keys.Single());
        Assert.True((await service.DeleteAsync(orgId, created.Account.Id, "ci")).IsSuccess);

        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.False(await ctx.RoleAssignments.AnyAsync(r => r.PrincipalType == PrincipalType.ServiceAccount));
        Assert.Equal(ServiceAccountService.InvalidClient, (await service.AuthenticateAsync(created.Account.ClientId, created.ClientSecret)).Error);
    }

    [Fact(Timeout = 30_000)]
    public async Task ProjectConnections_AddChangeListAndRemove_AndGiveProjectAccess()
    {
        var (db, orgId, owner) = await EnterpriseOrgAsync();
        await using var _ = db;
        var service = db.Service<ServiceAccountService>(owner);
        var project = await db.AddProjectAsync(orgId, "Search");
        var account = (await service.CreateAsync(orgId, "ci", Role.OrgMember)).Value.Account;

        Assert.True((await service.ConnectProjectAsync(orgId, account.Id, project, Role.ProjectMember)).IsSuccess);
        Assert.Equal(ErrorKind.Conflict, (await service.ConnectProjectAsync(orgId, account.Id, project, Role.ProjectMember)).Error?.Kind);
        Assert.True((await service.ConnectProjectAsync(orgId, account.Id, project, Role.ProjectOwner)).IsSuccess);
        Assert.Equal(ErrorKind.Validation, (await service.ConnectProjectAsync(orgId, account.Id, project, Role.ProjectEditor)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.ConnectProjectAsync(orgId, account.Id, Guid.NewGuid(), Role.ProjectOwner)).Error?.Kind);

        var connected = Assert.Single((await service.ListProjectsAsync(orgId, account.Id)).Value);
        Assert.Equal(("Search", Role.ProjectOwner), (connected.ProjectName, connected.Role));
        Assert.Equal("ci", Assert.Single((await service.ListForProjectAsync(orgId, project)).Value).Name);

        // The account itself now acts in the project through the one authorizer.
        await using (var scope = db.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<ActorAccessor>().Current = new Actor(OrgConsole.Access.ActorType.ServiceAccount, account.Id.ToString(), "ci");
            var access = await scope.ServiceProvider.GetRequiredService<Authorizer>().DemandAsync(orgId, project, Permission.CreateApiKeys);
            Assert.True(access.IsSuccess);
        }

        Assert.True((await service.DisconnectProjectAsync(orgId, account.Id, project)).IsSuccess);
        Assert.Empty((await service.ListProjectsAsync(orgId, account.Id)).Value);
        Assert.Equal(ErrorKind.NotFound, (await service.DisconnectProjectAsync(orgId, account.Id, project)).Error?.Kind);
    }

    [Fact(Timeout = 30_000)]
    public async Task AccountsOfAnotherOrganization_AreNotFound()
    {
        var (db, orgId, owner) = await EnterpriseOrgAsync();
        await using var _ = db;
        var (otherOrg, otherOwner) = await db.CreateOrganizationAsync("Other", "other-owner@test.example");
        await db.SetPlanAsync(otherOrg, Plan.Enterprise);
        var foreign = (await db.Service<ServiceAccountService>(otherOwner).CreateAsync(otherOrg, "theirs", Role.OrgMember)).Value.Account.Id;
        var service = db.Service<ServiceAccountService>(owner);

        Assert.Equal(ErrorKind.NotFound, (await service.GetAsync(orgId, foreign)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.RotateSecretAsync(orgId, foreign)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.DeleteAsync(orgId, foreign, "theirs")).Error?.Kind);
        Assert.Empty((await service.ListAsync(orgId)).Value);
    }
}
