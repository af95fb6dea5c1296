using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using OrgConsole.Access;

namespace OrgConsole.Data;

/// <summary>
/// One hot read on the <see cref="KeptReadConnections"/>: its SQL and the names of its parameters, in the order the caller
/// sets them (<c>command.Parameters[i].Value</c>). Declare it once (a static field beside the service that owns the read);
/// each kept connection prepares it the first time it runs it and re-runs that prepared statement ever after.
/// </summary>
public sealed class KeptQuery
{
    private static int _count;

    public KeptQuery(string sql, params string[] parameters)
    {
        Sql = sql;
        Parameters = parameters;
        Index = Interlocked.Increment(ref _count) - 1;
    }

    public string Sql { get; }
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>Its slot in each kept connection's table of prepared commands.</summary>
    internal int Index { get; }
}

/// <summary>
/// Issue 17: a few SQLite connections kept open for the hottest reads (the Admin API gate's account-and-roles read, the
/// project lists), each holding those reads as prepared commands that are run again and again instead of being parsed and
/// planned on every request. Microsoft.Data.Sqlite finalizes a command's statements when the command is disposed or its
/// connection closes, and EF Core creates and disposes a command per query, so on the EF path SQLite prepares every query
/// again (44 µs prepared vs 8 µs re-run for the gate's read). EF Core has no statement cache to turn on (dotnet/efcore#14044 is open).
/// <para>
/// Freshness: each run is its own auto-commit read, which under WAL starts a new read snapshot, so a write committed on
/// any other connection (a role removed, a key rotated, a project deleted) is seen by the very next run. The reader is
/// always disposed before the connection is handed back, which resets the statement and ends its snapshot, so an idle
/// kept connection holds no read lock and no old snapshot (checkpoints are not held back).
/// </para>
/// <para>
/// Safety: a connection serves one caller at a time (taken from the idle stack, returned after a synchronous run —
/// Microsoft.Data.Sqlite executes synchronously anyway, so nothing awaits while one is held); at most
/// <see cref="MaxConnections"/> exist, opened lazily, and a caller beyond that waits for one. The connections are
/// <c>PRAGMA query_only</c> (they cannot write), opened without creating a missing file, and checked before each run
/// for a database file that was deleted or replaced since they opened it (then closed and opened again: a deleted file
/// fails the read, it never answers from the old file). A connection whose run threw is closed, not reused.
/// Disposed with the app (all connections closed). One instance per database: the app registers one for its
/// connection string; on PostgreSQL or an in-memory SQLite database it is disabled and the services read through EF Core.
/// </para>
/// </summary>
public sealed class KeptReadConnections : IDisposable
{
    private readonly string? _connectionString;
    private readonly ConcurrentStack<Kept> _idle = new();
    private readonly SemaphoreSlim _slots;
    private volatile bool _disposed;
    private int _open;
    private int _inUse;
    private int _peakInUse;
    private long _runs;

    /// <param name="connectionString">The app's SQLite connection string (null: disabled).</param>
    public KeptReadConnections(string? connectionString, int maxConnections)
    {
        MaxConnections = Math.Max(1, maxConnections);
        _slots = new SemaphoreSlim(MaxConnections, MaxConnections);
        if (connectionString is null) return;
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:") return;
        // Ours to keep open (not Microsoft.Data.Sqlite's pool), and never creating an empty file where the database was.
        builder.Pooling = false;
        builder.Mode = SqliteOpenMode.ReadWrite;
        _connectionString = builder.ToString();
        Enabled = true;
    }

    /// <summary>Disabled: the services read through EF Core (PostgreSQL, in-memory SQLite).</summary>
    public static KeptReadConnections Disabled() => new(null, 1);

    /// <summary>How many connections one database keeps at most: enough for every core to run a read, and a few waiting on I/O.</summary>
    public static int DefaultMaxConnections => Math.Clamp(Environment.ProcessorCount * 2, 2, 16);

    /// <summary>Whether the services use these connections for their hot reads (else EF Core). Tests turn it off to compare both paths.</summary>
    public bool Enabled { get; internal set; }

    public int MaxConnections { get; }

    /// <summary>Connections open now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>The most connections that were in use at once.</summary>
    public int PeakInUse => Volatile.Read(ref _peakInUse);

    /// <summary>Reads run so far (each is one database round trip).</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Called with each command just before it runs, its parameters set (tests count reads as EF interceptors do).</summary>
    internal Action<SqliteCommand>? Executing { get; set; }

    /// <summary>
    /// Runs <paramref name="query"/> on a kept connection: <paramref name="bind"/> sets its parameters' values from
    /// <paramref name="args"/> (in <see cref="KeptQuery.Parameters"/> order), the prepared statement runs, and
    /// <paramref name="read"/> reads its rows — synchronously, while the caller alone holds the connection. The reader is
    /// disposed here (ending the read's snapshot) before the connection is handed back.
    /// </summary>
    public async ValueTask<T> ReadAsync<TArgs, T>(KeptQuery query, TArgs args, Action<SqliteParameterCollection, TArgs> bind,
        Func<SqliteDataReader, T> read, CancellationToken ct = default)
    {
        if (!Enabled) throw new InvalidOperationException("Kept read connections are disabled for this database; read through EF Core.");
        ct.ThrowIfCancellationRequested();
        if (!_slots.Wait(0)) await _slots.WaitAsync(ct);
        Kept? kept = null;
        var inUse = Interlocked.Increment(ref _inUse);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            UpdatePeak(inUse);
            kept = Take();
            Interlocked.Increment(ref _runs);
            var result = kept.Run(query, args, bind, read, Executing);
            Return(kept);
            kept = null;
            return result;
        }
        finally
        {
            if (kept is not null) Close(kept); // the run threw: the connection may be in any state, do not reuse it
            Interlocked.Decrement(ref _inUse);
            _slots.Release();
        }
    }

    private Kept Take()
    {
        while (_idle.TryPop(out var kept))
        {
            if (!kept.FileHasMoved()) return kept;
            Close(kept); // the database file was deleted or replaced: never read the old one
        }
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            KeepPlans(connection);
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA query_only = 1;";
            pragma.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        Interlocked.Increment(ref _open);
        return new Kept(connection);
    }

    /// <summary>
    /// SQLite's query planner stability guarantee (SQLITE_DBCONFIG_ENABLE_QPSG): a statement's plan depends on its SQL and
    /// the schema only, never on the values bound to it. Without it SQLite marks a prepared statement expired whenever a
    /// parameter it compared with a constant while planning is bound again (here: <c>"PrincipalType" = @principalType</c>
    /// against the partial IX_Members_* indexes' <c>"PrincipalType" = 'User'</c>), and parses and plans it again on its
    /// next step — on every run, since every run binds its parameters, which undoes the point of keeping it prepared.
    /// </summary>
    private static void KeepPlans(SqliteConnection connection)
    {
        var rc = SQLitePCL.raw.sqlite3_db_config(connection.Handle, SQLitePCL.raw.SQLITE_DBCONFIG_ENABLE_QPSG, 1, out var enabled);
        if (rc != SQLitePCL.raw.SQLITE_OK || enabled != 1) throw new InvalidOperationException($"SQLite refused its query planner stability guarantee (rc {rc}).");
    }

    private void Return(Kept kept)
    {
        _idle.Push(kept);
        if (_disposed) CloseIdle(); // disposed while this one was in use
    }

    private void Close(Kept kept)
    {
        kept.Dispose();
        Interlocked.Decrement(ref _open);
    }

    private void CloseIdle()
    {
        while (_idle.TryPop(out var kept)) Close(kept);
    }

    /// <summary>
    /// How many times SQLite parsed and planned a kept statement again after preparing it (SQLITE_STMTSTATUS_REPREPARE),
    /// summed over the idle connections: 0 while every kept read re-runs the statement it prepared.
    /// </summary>
    internal int Reprepares() => _idle.Sum(kept => kept.Reprepares());

    private void UpdatePeak(int inUse)
    {
        var peak = Volatile.Read(ref _peakInUse);
        while (inUse > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakInUse, inUse, peak);
            if (seen == peak) return;
            peak = seen;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        CloseIdle();
    }

    /// <summary>One kept connection and its prepared commands, by <see cref="KeptQuery.Index"/>.</summary>
    private sealed class Kept(SqliteConnection connection) : IDisposable
    {
        private SqliteCommand?[] _commands = new SqliteCommand?[8];
        private int _running;

        public T Run<TArgs, T>(KeptQuery query, TArgs args, Action<SqliteParameterCollection, TArgs> bind, Func<SqliteDataReader, T> read,
            Action<SqliteCommand>? executing)
        {
            // The pool hands a connection to one caller at a time; this proves it rather than trusting it.
            if (Interlocked.Exchange(ref _running, 1) != 0) throw new InvalidOperationException("A kept read connection was used by two callers at once.");
            try
            {
                var command = CommandFor(query);
                bind(command.Parameters, args);
                executing?.Invoke(command);
                using var reader = command.ExecuteReader();
                return read(reader);
            }
            finally
            {
                Volatile.Write(ref _running, 0);
            }
        }

        private SqliteCommand CommandFor(KeptQuery query)
        {
            if (query.Index >= _commands.Length) Array.Resize(ref _commands, Math.Max(query.Index + 1, _commands.Length * 2));
            if (_commands[query.Index] is { } command) return command;
            command = connection.CreateCommand();
            command.CommandText = query.Sql;
            foreach (var name in query.Parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
            command.Prepare();
            return _commands[query.Index] = command;
        }

        /// <summary>SQLite's own check (SQLITE_FCNTL_HAS_MOVED): the file this connection opened was unlinked or renamed over.</summary>
        public bool FileHasMoved()
        {
            var moved = 0;
            var handle = connection.Handle!;
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                return sqlite3_file_control(handle.DangerousGetHandle(), IntPtr.Zero, SqliteFcntlHasMoved, ref moved) != 0 || moved != 0;
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }

        public int Reprepares()
        {
            var handle = connection.Handle!;
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                var total = 0;
                for (var stmt = sqlite3_next_stmt(handle.DangerousGetHandle(), IntPtr.Zero); stmt != IntPtr.Zero; stmt = sqlite3_next_stmt(handle.DangerousGetHandle(), stmt))
                    total += sqlite3_stmt_status(stmt, SqliteStmtStatusReprepare, 0);
                return total;
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }

        public void Dispose()
        {
            foreach (var command in _commands) command?.Dispose();
            connection.Dispose();
        }

        private const int SqliteFcntlHasMoved = 20;
        private const int SqliteStmtStatusReprepare = 5;

        // The same native SQLite that Microsoft.Data.Sqlite loads (SQLitePCLRaw's bundle): calls SQLitePCLRaw does not wrap, or
        // wraps only around statement objects it tracks (sqlite3_next_stmt).
        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        private static extern int sqlite3_file_control(IntPtr db, IntPtr databaseName, int op, ref int argument);

        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        private static extern IntPtr sqlite3_next_stmt(IntPtr db, IntPtr statement);

        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        private static extern int sqlite3_stmt_status(IntPtr statement, int op, int reset);
    }
}

/// <summary>
/// Values on a <see cref="KeptQuery"/> as EF Core's SQLite provider binds and reads them, so a kept read matches the EF
/// path row for row: Guids are upper-case text, enums their names, timestamps UTC (as ApplicationDbContext converts them).
/// </summary>
public static class KeptSql
{
    public static string Guid(Guid value) => value.ToString().ToUpperInvariant();

    /// <summary>An enum stored by name: looked up among its names (a frozen table per enum), not parsed on every row.</summary>
    public static TEnum Enum<TEnum>(SqliteDataReader reader, int ordinal) where TEnum : struct, Enum => EnumByName<TEnum>(reader.GetString(ordinal));

    /// <summary>The enum value named <paramref name="name"/> exactly (as EF Core stores it); an unknown name throws, as EF Core's conversion does.</summary>
    public static TEnum EnumByName<TEnum>(ReadOnlySpan<char> name) where TEnum : struct, Enum =>
        Names<TEnum>.ByName.TryGetValue(name, out var value) ? value : System.Enum.Parse<TEnum>(name);

    /// <summary>
    /// A principal's roles from a comma list of their stored names (SQLite's group_concat), most privileged first: the
    /// shared list <see cref="Roles.MostPrivilegedFirst(ReadOnlySpan{Role})"/> gives, read without splitting the list into strings.
    /// </summary>
    public static IReadOnlyList<Role> RolesByName(ReadOnlySpan<char> commaList)
    {
        // At most one binding per role and scope (IX_RoleAssignments_OrgPrincipalRole): never more names than roles.
        Span<Role> held = stackalloc Role[MaxRoles];
        var count = 0;
        foreach (var range in commaList.Split(',')) held[count++] = EnumByName<Role>(commaList[range]);
        return Roles.MostPrivilegedFirst(held[..count]);
    }

    private static readonly int MaxRoles = System.Enum.GetValues<Role>().Length;

    private static class Names<TEnum> where TEnum : struct, Enum
    {
        public static readonly FrozenDictionary<string, TEnum>.AlternateLookup<ReadOnlySpan<char>> ByName =
            System.Enum.GetValues<TEnum>().ToFrozenDictionary(value => value.ToString(), StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static DateTime UtcDateTime(SqliteDataReader reader, int ordinal) =>
        DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);
}
