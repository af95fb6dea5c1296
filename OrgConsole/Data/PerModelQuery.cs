using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace OrgConsole.Data;

/// <summary>
/// An EF Core compiled query, compiled once per EF model instead of once per process. EF binds a compiled query to the
/// model of the first context that runs it and refuses every other ("executed with a different model than it was
/// compiled against"); the app has a model per provider (<see cref="ApplicationDbContext"/> on SQLite,
/// <see cref="PostgresDbContext"/> on PostgreSQL), and one process may use both (the test suite, tools). So a static field
/// holds one of these, and each call asks for the compilation that belongs to the context's model:
/// <code>await foreach (var row in MembershipQuery.For(db)(db, organizationId, …))</code>
/// </summary>
public sealed class PerModelQuery<TQuery>(Func<TQuery> compile) where TQuery : Delegate
{
    // Weak keys: a model that is no longer used (a test's throw-away service provider) takes its compilations with it.
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = new();

    /// <summary>The query compiled for <paramref name="db"/>'s model (compiled on first use with that model).</summary>
    public TQuery For(DbContext db)
    {
        var model = db.Model;
        return _byModel.TryGetValue(model, out var query) ? query : _byModel.GetValue(model, _ => compile());
    }
}

/// <summary>Creates <see cref="PerModelQuery{TQuery}"/>s: <c>PerModelQuery.Compile(() =&gt; EF.CompileAsyncQuery(…))</c>.</summary>
public static class PerModelQuery
{
    public static PerModelQuery<TQuery> Compile<TQuery>(Func<TQuery> compile) where TQuery : Delegate => new(compile);
}
