using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Projects;

namespace OrgConsole.Data;

public sealed record DemoAccount(string Email, string Name, string Description);

/// <summary>Fills an empty database with a demo organization so a newcomer can sign in and look around.</summary>
public sealed class DemoSeeder(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    AuditLog audit,
    TimeProvider time,
    IConfiguration configuration,
    Features.Billing.BillingDemoData billing)
{
    public const string OrganizationName = "Acme Corp";

    public static readonly IReadOnlyList<DemoAccount> Accounts =
    [
        new("owner@acme.example", "Olivia Owner", "Owner of Acme Corp"),
        new("user@acme.example", "Umar User", "User in Acme Corp, Project owner of Search"),
        new("billing@acme.example", "Bea Billing", "Billing admin of Acme Corp"),
        new("support@orgconsole.example", "Sam Support", "OrgConsole support staff (platform role Support)"),
        new("dana@acme.example", "Dana Developer", "User in Acme Corp, Project user of Search"),
        new("eli@acme.example", "Eli Engineer", "User in Acme Corp"),
        new("fay@acme.example", "Fay Finance", "Billing admin of Acme Corp"),
        new("gina@globex.example", "Gina Globex", "Owner of Globex (Enterprise: service accounts, SSO; Olivia is a User there)"),
    ];

    public string Password => configuration["Seed:DemoPassword"] is { Length: > 0 } p ? p : "OrgConsole-demo-1";

    /// <summary>Seeds when the database has no users yet. Returns whether it did.</summary>
    public async Task<bool> SeedIfEmptyAsync(CancellationToken ct = default)
    {
        if (await users.Users.AnyAsync(ct)) return false;

        if (!await roles.RoleExistsAsync(PlatformRoles.Support)) await roles.CreateAsync(new IdentityRole(PlatformRoles.Support));

        var created = new Dictionary<string, ApplicationUser>();
        var now = time.UtcNow();
        foreach (var account in Accounts)
        {
            var user = new ApplicationUser
            {
                UserName = account.Email,
                Email = account.Email,
                EmailConfirmed = true,
                DisplayName = account.Name,
                CreatedAt = now,
            };
            var result = await users.CreateAsync(user, Password);
            if (!result.Succeeded) throw new InvalidOperationException($"Demo seed failed for {account.Email}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
            created[account.Email] = user;
        }
        await users.AddToRoleAsync(created["support@orgconsole.example"], PlatformRoles.Support);

        var owner = created["owner@acme.example"];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var org = new Organization
        {
            Id = Guid.NewGuid(),
            Name = OrganizationName,
            Plan = Plan.Standard,
            CreatedByUserId = owner.Id,
            CreatedByEmail = owner.NormalizedEmail!,
            CreatedAt = now,
        };
        db.Organizations.Add(org);
        var search = new Project { Id = Guid.NewGuid(), OrganizationId = org.Id, Name = "Search", NormalizedName = Project.Normalize("Search"), CreatedAt = now, CreatedByUserId = created["user@acme.example"].Id };
        var analytics = new Project { Id = Guid.NewGuid(), OrganizationId = org.Id, Name = "Analytics", NormalizedName = Project.Normalize("Analytics"), CreatedAt = now, CreatedByUserId = owner.Id };
        db.Projects.AddRange(search, analytics);

        void Grant(string email, Role role, Guid? projectId = null) =>
            db.RoleAssignments.Add(RoleAssignment.ForUser(created[email], org.Id, role, now, projectId));
        Grant("owner@acme.example", Role.OrgOwner);
        Grant("owner@acme.example", Role.ProjectOwner, analytics.Id);
        Grant("user@acme.example", Role.OrgMember);
        Grant("user@acme.example", Role.ProjectOwner, search.Id);
        Grant("billing@acme.example", Role.OrgBillingAdmin);
        Grant("dana@acme.example", Role.OrgMember);
        Grant("dana@acme.example", Role.ProjectMember, search.Id);
        Grant("eli@acme.example", Role.OrgMember);
        Grant("fay@acme.example", Role.OrgBillingAdmin);
        foreach (var user in created.Values.Where(u => u.Email != "support@orgconsole.example"))
        {
            db.Users.Attach(user);
            user.LastOrganizationId = org.Id;
        }

        await audit.AppendAsync(db, Actor.System, org.Id, new AuditEntry("organization.created", "organization", org.Id.ToString(),
            After: new { org.Name, Plan = org.Plan.ToString(), Source = "demo seed" }), ct);

        // A second organization, so the switcher and support's "move a project" have somewhere to go.
        var gina = created["gina@globex.example"];
        var globex = new Organization
        {
            Id = Guid.NewGuid(), Name = "Globex", Plan = Plan.Enterprise, CreatedByUserId = gina.Id, CreatedByEmail = gina.NormalizedEmail!, CreatedAt = now,
        };
        db.Organizations.Add(globex);
        db.RoleAssignments.Add(RoleAssignment.ForUser(gina, globex.Id, Role.OrgOwner, now));
        db.RoleAssignments.Add(RoleAssignment.ForUser(owner, globex.Id, Role.OrgMember, now));
        gina.LastOrganizationId = globex.Id;
        await audit.AppendAsync(db, Actor.System, globex.Id, new AuditEntry("organization.created", "organization", globex.Id.ToString(),
            After: new { globex.Name, Plan = globex.Plan.ToString(), Source = "demo seed" }), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await billing.SeedAsync(org.Id, ct);
        return true;
    }
}
