using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Data;

namespace OrgConsole.Features.Accounts;

/// <summary>The signed-in person's own console preferences.</summary>
public sealed class AccountPreferences(IDbContextFactory<ApplicationDbContext> dbFactory, ActorAccessor actor)
{
    public async Task<bool> PrefersDarkModeAsync(CancellationToken ct = default)
    {
        if (!actor.Current.IsUser) return false;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.Where(u => u.Id == actor.Current.Id).Select(u => u.PrefersDarkMode).FirstOrDefaultAsync(ct);
    }

    public async Task SetDarkModeAsync(bool dark, CancellationToken ct = default)
    {
        if (!actor.Current.IsUser) return;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Users.Where(u => u.Id == actor.Current.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.PrefersDarkMode, dark), ct);
    }
}
