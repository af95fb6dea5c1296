using Microsoft.EntityFrameworkCore;
using OrgConsole.Data;

namespace OrgConsole.Common.Jobs;

/// <summary>
/// Who may run a background job until when: one row per job, shared by every app instance on the database.
/// A holder that crashes simply stops renewing; once <see cref="ExpiresAt"/> has passed another instance takes over.
/// </summary>
public sealed class JobLease
{
    public required string Name { get; set; }

    public required string Holder { get; set; }

    public DateTime ExpiresAt { get; set; }

    /// <summary>
    /// Takes the lease for <paramref name="duration"/> when it is free, expired or already ours, in one atomic
    /// statement (a conditional UPDATE, or the INSERT of a job's first row, which the primary key lets only one win).
    /// </summary>
    public static async Task<bool> TryAcquireAsync(IDbContextFactory<ApplicationDbContext> dbFactory, string name, string holder,
        DateTime now, TimeSpan duration, CancellationToken ct = default)
    {
        var until = now + duration;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var taken = await db.JobLeases
            .Where(l => l.Name == name && (l.ExpiresAt <= now || l.Holder == holder))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, holder).SetProperty(l => l.ExpiresAt, until), ct);
        if (taken == 1) return true;
        if (await db.JobLeases.AnyAsync(l => l.Name == name, ct)) return false;
        db.JobLeases.Add(new JobLease { Name = name, Holder = holder, ExpiresAt = until });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return false; // another instance inserted the first row at the same moment
        }
    }
}
