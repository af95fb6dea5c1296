using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Sso;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Sso;

/// <summary>Just-in-time provisioning after a validated SSO sign-in, and which emails SSO applies to.</summary>
public class SsoProvisioningTests
{
    private static async Task<(TestDb Db, Guid OrgId, string OwnerId)> OrgWithSsoAsync(Role defaultRole = Role.OrgMember, bool enforce = false)
    {
        var db = await TestDb.CreateAsync();
        var (orgId, ownerId) = await db.CreateOrganizationAsync(ownerEmail: $"boss-{Guid.NewGuid():N}@corp.example");
        await db.SetPlanAsync(orgId, Plan.Enterprise);
        // The settings are stored directly: these tests are about what happens after the provider vouched for someone.
        await using var context = await db.DbFactory.CreateDbContextAsync();
        var connection = new SsoConnection
        {
            Id = Guid.NewGuid(), OrganizationId = orgId, Issuer = "https://idp.corp.example/", ClientId = "c", ProtectedClientSecret = "x",
            ClientSecretLast4 = "xxxx", DefaultRole = defaultRole, EnforceSso = enforce, CreatedAt = db.Time.GetUtcNow().UtcDateTime,
        };
        connection.Domains.Add(new SsoDomain
        {
            ConnectionId = connection.Id, OrganizationId = orgId, Domain = "corp.example", VerificationToken = "t", VerifiedAt = db.Time.GetUtcNow().UtcDateTime,
        });
        context.Add(connection);
        await context.SaveChangesAsync();
        return (db, orgId, ownerId);
    }

    private static SsoIdentity Identity(string email, string? name) => new("https://idp.corp.example/", "sub-" + email.ToLowerInvariant(), email, true, name);

    private static async Task<Role?> RoleOfAsync(TestDb db, Guid orgId, string userId)
    {
        await using var context = await db.DbFactory.CreateDbContextAsync();
        return await context.RoleAssignments.Where(r => r.OrganizationId == orgId && r.ProjectId == null && r.PrincipalId == userId)
            .Select(r => (Role?)r.Role).SingleOrDefaultAsync();
    }

    [Theory(Timeout = 60_000)]
    [InlineData(Role.OrgMember)]
    [InlineData(Role.OrgBillingAdmin)]
    public async Task Admit_AnUnknownPerson_CreatesAConfirmedAccountAndAMembershipWithTheDefaultRole(Role defaultRole)
    {
        var (db, orgId, _) = await OrgWithSsoAsync(defaultRole);
        await using var _ = db;

        var admitted = await db.Services.GetRequiredService<SsoProvisioning>().AdmitAsync(orgId, Identity("New.Hire@corp.example", "New Hire"), "10.0.0.1", "test");

        Assert.True(admitted.IsSuccess, admitted.Error?.Message);
        Assert.True(admitted.Value.AccountCreated);
        Assert.True(admitted.Value.JoinedOrganization);
        Assert.Equal(defaultRole, await RoleOfAsync(db, orgId, admitted.Value.UserId));
        await using var context = await db.DbFactory.CreateDbContextAsync();
        var user = await context.Users.SingleAsync(u => u.Id == admitted.Value.UserId);
        Assert.True(user.EmailConfirmed);
        Assert.Equal("NEW.HIRE@CORP.EXAMPLE", user.NormalizedEmail);
        Assert.Equal("New Hire", user.DisplayName);
        Assert.Null(user.PasswordHash);
        var events = await db.AuditEventsAsync(orgId);
        Assert.Contains(events, e => e.Action == "member.provisioned" && e.TargetId == user.Id && e.After!.Contains(defaultRole.ToString()));
        var signIn = Assert.Single(events, e => e.Action == "auth.signed_in");
        Assert.Contains("\"method\":\"sso\"", signIn.After);
        Assert.Equal("10.0.0.1", signIn.IpAddress);
    }

    [Fact(Timeout = 60_000)]
    public async Task Admit_TheOnlyOwner_KeepsTheOwnerRole()
    {
        var (db, orgId, ownerId) = await OrgWithSsoAsync(Role.OrgMember);
        await using var _ = db;
        await using (var context = await db.DbFactory.CreateDbContextAsync())
        {
            await context.Users.Where(u => u.Id == ownerId).ExecuteUpdateAsync(s => s
                .SetProperty(u => u.Email, "boss@corp.example").SetProperty(u => u.NormalizedEmail, "BOSS@CORP.EXAMPLE"));
        }

        var admitted = await db.Services.GetRequiredService<SsoProvisioning>().AdmitAsync(orgId, Identity("boss@corp.example", null), null, null);

        Assert.True(admitted.IsSuccess, admitted.Error?.Message);
        Assert.Equal(ownerId, admitted.Value.UserId);
        Assert.False(admitted.Value.AccountCreated);
        Assert.False(admitted.Value.JoinedOrganization);
        Assert.Equal(Role.OrgOwner, admitted.Value.Role);
        Assert.Equal(Role.OrgOwner, await RoleOfAsync(db, orgId, ownerId));
        Assert.Equal(1, await db.OwnerCountAsync(orgId));
        Assert.DoesNotContain(await db.AuditEventsAsync(orgId), e => e.Action == "member.provisioned");
    }

    [Fact(Timeout = 60_000)]
    public async Task Admit_AnExistingBillingAdmin_KeepsTheirRoleWhenTheDefaultDiffers()
    {
        var (db, orgId, _) = await OrgWithSsoAsync(Role.OrgMember);
        await using var _ = db;
        var billing = await db.AddMemberAsync(orgId, Role.OrgBillingAdmin, "bea@corp.example");

        var admitted = await db.Services.GetRequiredService<SsoProvisioning>().AdmitAsync(orgId, Identity("BEA@corp.example", null), null, null);

        Assert.Equal(billing, admitted.Value.UserId);
        Assert.Equal(Role.OrgBillingAdmin, await RoleOfAsync(db, orgId, billing));
    }

    [Fact(Timeout = 60_000)]
    public async Task Admit_AnExistingAccountThatIsNotAMember_JoinsWithTheDefaultRole()
    {
        var (db, orgId, _) = await OrgWithSsoAsync(Role.OrgBillingAdmin);
        await using var _ = db;
        var existing = await db.CreateUserAsync("known@corp.example");

        var admitted = await db.Services.GetRequiredService<SsoProvisioning>().AdmitAsync(orgId, Identity("known@corp.example", null), null, null);

        Assert.Equal(existing, admitted.Value.UserId);
        Assert.False(admitted.Value.AccountCreated);
        Assert.True(admitted.Value.JoinedOrganization);
        Assert.Equal(Role.OrgBillingAdmin, await RoleOfAsync(db, orgId, existing));
    }

    [Fact(Timeout = 60_000)]
    public async Task Admit_AnEmailOutsideTheOrganizationsDomains_IsRefused()
    {
        var (db, orgId, _) = await OrgWithSsoAsync();
        await using var _ = db;

        var admitted = await db.Services.GetRequiredService<SsoProvisioning>().AdmitAsync(orgId, Identity("someone@elsewhere.example", null), null, null);

        Assert.Equal(ErrorKind.Validation, admitted.Error?.Kind);
        await using var context = await db.DbFactory.CreateDbContextAsync();
        Assert.False(await context.Users.AnyAsync(u => u.NormalizedEmail == "SOMEONE@ELSEWHERE.EXAMPLE"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Directory_RoutesAnEmailOfAClaimedDomain_ButNotOnceThePlanIsNoLongerEnterprise()
    {
        var (db, orgId, _) = await OrgWithSsoAsync(enforce: true);
        await using var _ = db;
        var directory = db.Services.GetRequiredService<SsoDirectory>();

        var route = await directory.FindAsync("Anyone@CORP.example");
        Assert.Equal(orgId, route?.OrganizationId);
        Assert.True(await directory.RequiresSsoAsync("anyone@corp.example"));
        Assert.Null(await directory.FindAsync("anyone@other.example"));
        Assert.Null(await directory.FindAsync("not-an-email"));

        await db.SetPlanAsync(orgId, Plan.Standard);
        Assert.Null(await directory.FindAsync("anyone@corp.example"));
        Assert.False(await directory.RequiresSsoAsync("anyone@corp.example"));
    }
}
