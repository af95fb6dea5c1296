using Microsoft.AspNetCore.Identity;
using OrgConsole.Access;
using OrgConsole.Data;
using OrgConsole.Features.Audit;

namespace OrgConsole.Features.Support;

/// <summary>
/// The operator grants and revokes the platform Support role from the command line — never an organization:
/// <c>dotnet run --project OrgConsole -- support grant|revoke|list [email]</c>. Each change is audited (platform chain).
/// </summary>
public static class SupportStaffCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var verb = args.ElementAtOrDefault(1);
        var email = args.ElementAtOrDefault(2);
        if (verb is not ("grant" or "revoke" or "list") || (verb != "list" && string.IsNullOrWhiteSpace(email)))
        {
            output.WriteLine("usage: dotnet run --project OrgConsole -- support grant EMAIL | support revoke EMAIL | support list");
            return 2;
        }

        // The app's own configuration (database path, environment) and services, without starting the web server.
        var builder = WebApplication.CreateBuilder(args.Skip(verb == "list" ? 2 : 3).ToArray());
        builder.Services.AddOrgConsole(builder.Configuration, builder.Environment);
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        await using var scope = app.Services.CreateAsyncScope();
        var dbFactory = scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ApplicationDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync()) await DatabaseSetup.MigrateAsync(db);
        return await RunAsync(scope.ServiceProvider, verb, email, output);
    }

    /// <summary>The verb itself, on a ready service provider (tests call this directly).</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string verb, string? email, TextWriter output)
    {
        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(PlatformRoles.Support)) await roles.CreateAsync(new IdentityRole(PlatformRoles.Support));

        if (verb == "list")
        {
            var staff = await users.GetUsersInRoleAsync(PlatformRoles.Support);
            output.WriteLine(staff.Count == 0 ? "No one has the Support role." : string.Join(Environment.NewLine, staff.Select(u => u.Email).Order()));
            return 0;
        }

        var user = await users.FindByEmailAsync(email!);
        if (user is null)
        {
            output.WriteLine($"No account with the email {email}. The person must register first.");
            return 1;
        }
        var result = verb == "grant" ? await users.AddToRoleAsync(user, PlatformRoles.Support) : await users.RemoveFromRoleAsync(user, PlatformRoles.Support);
        if (!result.Succeeded)
        {
            output.WriteLine(string.Join(" ", result.Errors.Select(e => e.Description)));
            return 1;
        }
        // A role change must reach open sessions: the security stamp makes their cookies revalidate.
        await users.UpdateSecurityStampAsync(user);
        var operatorActor = Actor.System with { Name = $"operator ({Environment.UserName})" };
        await services.GetRequiredService<AuditLog>().AppendStandaloneAsync(operatorActor, null,
            new AuditEntry(verb == "grant" ? "support.role_granted" : "support.role_revoked", "user", user.Id, After: new { user.Email }));
        output.WriteLine(verb == "grant" ? $"{user.Email} now has the Support role." : $"{user.Email} no longer has the Support role.");
        return 0;
    }
}
