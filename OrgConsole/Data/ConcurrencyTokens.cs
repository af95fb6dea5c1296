using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrgConsole.Data;

/// <summary>
/// Every entity with a <c>Version</c> concurrency token gets a new one whenever it is saved added or modified, so the
/// services never write it: an update carries the version it read in its WHERE clause, and a concurrent update that
/// read the same version finds no row and fails with <see cref="DbUpdateConcurrencyException"/>.
/// (Bulk <c>ExecuteUpdate</c> statements bypass the change tracker and set it themselves.)
/// </summary>
public sealed class ConcurrencyTokenInterceptor : SaveChangesInterceptor
{
    public const string Property = "Version";

    public static readonly ConcurrencyTokenInterceptor Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Renew(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Renew(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Renew(DbContext? context)
    {
        if (context is null) return;
        foreach (var entry in context.ChangeTracker.Entries()) // detects changes first
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified)) continue;
            if (entry.Metadata.FindProperty(Property) is { IsConcurrencyToken: true } token && token.ClrType == typeof(Guid))
            {
                entry.Property(token).CurrentValue = Guid.NewGuid();
            }
        }
    }
}

public static class ConcurrencyTokens
{
    /// <summary>
    /// Saves <paramref name="entity"/> with a new version although none of its own columns changed — for a change to the
    /// rows it guards (its owners, its role bindings), so two concurrent such changes conflict rather than both commit.
    /// </summary>
    public static void Touch(this DbContext db, object entity) => db.Entry(entity).Property(ConcurrencyTokenInterceptor.Property).IsModified = true;
}
