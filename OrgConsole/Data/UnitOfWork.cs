using Microsoft.EntityFrameworkCore;
using OrgConsole.Common;

namespace OrgConsole.Data;

public static class UnitOfWork
{
    public const string ConcurrentChangeMessage = Error.ConcurrentChangeMessage;

    /// <summary>
    /// Runs one change on a fresh context inside a write transaction: <paramref name="work"/> reads, changes
    /// and appends its audit event; on success everything is saved and committed together, on failure nothing is.
    /// </summary>
    public static async Task<Result<T>> WriteAsync<T>(this IDbContextFactory<ApplicationDbContext> dbFactory,
        Func<ApplicationDbContext, Task<Result<T>>> work, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var result = await work(db);
        if (!result.IsSuccess) return result;
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Error.ConcurrentChange();
        }
        return result;
    }

    public static async Task<Result> WriteAsync(this IDbContextFactory<ApplicationDbContext> dbFactory,
        Func<ApplicationDbContext, Task<Result>> work, CancellationToken ct = default)
    {
        var result = await dbFactory.WriteAsync<bool>(async db =>
        {
            var inner = await work(db);
            return inner.IsSuccess ? true : inner.Error;
        }, ct);
        return result.IsSuccess ? Result.Ok() : result.Error;
    }
}
