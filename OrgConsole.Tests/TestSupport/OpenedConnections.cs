using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrgConsole.Tests.TestSupport;

/// <summary>
/// How many times a test's database connections are opened, for tests that state what an action may cost (issue 17: one
/// connection per Members page read). Add it with <c>TestDb.CreateAsync(o =&gt; o.AddInterceptors(opens))</c>; only the
/// opens between <see cref="Watch"/> and <see cref="Count"/> are counted.
/// </summary>
public sealed class OpenedConnections : DbConnectionInterceptor
{
    private int _count;
    private volatile bool _watching;

    public void Watch()
    {
        Interlocked.Exchange(ref _count, 0);
        _watching = true;
    }

    public int Count => Volatile.Read(ref _count);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (_watching) Interlocked.Increment(ref _count);
    }

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (_watching) Interlocked.Increment(ref _count);
        return Task.CompletedTask;
    }
}
