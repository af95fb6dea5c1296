using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;

namespace OrgConsole.Data;

/// <summary>
/// The PostgreSQL flavour of <see cref="ApplicationDbContext"/>: the same model, its own migrations
/// (Data/Migrations/Postgres, generated with <c>--context PostgresDbContext</c>). EF Core's multi-provider layout.
/// </summary>
public sealed class PostgresDbContext(DbContextOptions<PostgresDbContext> options) : ApplicationDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // The member list's indexes (IX_Members_*) also carry the row's id: an offset page picks its rows' ids first
        // (MemberService) and PostgreSQL then walks only the index (an index-only scan), not the table, past the
        // skipped rows. SQLite's indexes reach the row without it.
        foreach (var index in builder.Entity<RoleAssignment>().Metadata.GetIndexes())
        {
            if (index.GetDatabaseName()?.StartsWith("IX_Members_", StringComparison.Ordinal) == true)
            {
                index.SetIncludeProperties(new[] { nameof(RoleAssignment.Id) });
            }
        }
    }
}
