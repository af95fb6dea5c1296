using Microsoft.EntityFrameworkCore;
using OrgConsole.Data;

namespace OrgConsole.Access;

/// <summary>Keeps the name and email cached on a person's role assignments in step with their account.</summary>
public static class PrincipalLabels
{
    public static Task<int> RefreshUserAsync(ApplicationDbContext db, ApplicationUser user, CancellationToken ct = default) =>
        db.RoleAssignments.Where(r => r.PrincipalType == PrincipalType.User && r.PrincipalId == user.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.PrincipalName, user.Name).SetProperty(r => r.PrincipalEmail, user.Email), ct);
}
