using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrgConsole.Tests.TestSupport;

/// <summary>
/// The SQL a test's database runs, for tests that state what an action may cost (no count query for a short page, no write
/// for a preference that did not change). Add it with <c>TestDb.CreateAsync(o =&gt; o.AddInterceptors(commands))</c>, and
/// with <see cref="AlsoOn"/> for the reads that run on SQLite's kept read connections instead of through EF Core;
/// only what runs between <see cref="Watch"/> and <see cref="Taken"/> is kept.
/// </summary>
public sealed class RecordedCommands : DbCommandInterceptor
{
    private readonly List<string> _sql = [];
    private bool _watching;

    /// <summary>Which commands to keep, asked as each one runs (e.g. only those of one HTTP request's path); null keeps all.</summary>
    public Func<bool>? When { get; set; }

    /// <summary>Records the reads run on <paramref name="keptReads"/> as well (SQLite's prepared hot reads, which bypass EF Core).</summary>
    public RecordedCommands AlsoOn(OrgConsole.Data.KeptReadConnections keptReads)
    {
        keptReads.Executing = Record;
        return this;
    }

    public void Watch()
    {
        lock (_sql) { _sql.Clear(); _watching = true; }
    }

    /// <summary>The commands run since <see cref="Watch"/>, in order, with leading white space trimmed.</summary>
    public List<string> Taken()
    {
        lock (_sql) return [.. _sql];
    }

    /// <summary>The commands that change data (UPDATE, INSERT, DELETE) run since <see cref="Watch"/>.</summary>
    public List<string> Writes() => Taken().Where(sql =>
        sql.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) || sql.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
        || sql.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase)).ToList();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Record(command);
        return base.ReaderExecuting(command, eventData, result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Record(command);
        return base.ScalarExecuting(command, eventData, result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Record(command);
        return base.NonQueryExecuting(command, eventData, result);
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }

    private void Record(DbCommand command)
    {
        if (When is { } when && !when()) return;
        lock (_sql) if (_watching) _sql.Add(command.CommandText.TrimStart());
    }
}
