using Microsoft.EntityFrameworkCore;

namespace OrgConsole.Data;

/// <summary>
/// The PostgreSQL flavour of <see cref="ApplicationDbContext"/>: the same model, its own migrations
/// (Data/Migrations/Postgres, generated with <c>--context PostgresDbContext</c>). EF Core's multi-provider layout.
/// </summary>
public sealed class PostgresDbContext(DbContextOptions<PostgresDbContext> options) : ApplicationDbContext(options);
