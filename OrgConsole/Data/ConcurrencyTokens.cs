using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Query;

namespace OrgConsole.Data;

/// <summary>
/// Every entity with a <c>Version</c> concurrency token gets a new one whenever it is saved added or modified, so the
/// services never write it: an update carries the version it read in its WHERE clause, and a concurrent update that
/// read the same version finds no row and fails with <see cref="DbUpdateConcurrencyException"/>.
/// (Bulk <c>ExecuteUpdate</c> statements bypass the change tracker: those that change what a concurrent edit may be
/// editing go through <see cref="ConcurrencyTokens.ExecuteUpdateRenewingVersionAsync{T}"/>.)
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

    /// <summary>
    /// A bulk <c>ExecuteUpdate</c> that also gives every row it changes a new version — what the interceptor does for a
    /// tracked save, which a bulk statement bypasses — so an edit that read a row before this update is refused as stale
    /// instead of overwriting it. The one way to bulk-update state that someone may be editing; a plain ExecuteUpdate is
    /// for bookkeeping columns only (a key's last use), where renewing the version would fail unrelated edits.
    /// </summary>
    public static Task<int> ExecuteUpdateRenewingVersionAsync<T>(this IQueryable<T> rows, Action<UpdateSettersBuilder<T>> setters, CancellationToken ct = default)
        where T : class =>
        rows.ExecuteUpdateAsync(s =>
        {
            setters(s);
            s.SetProperty(row => EF.Property<Guid>(row, ConcurrencyTokenInterceptor.Property), Guid.NewGuid());
        }, ct);
}
