using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;

namespace OrgConsole.Data;

/// <summary>
/// Fills an organization with many generated members through plain ADO.NET (for the members benchmark and the
/// 100,000-member correctness test). Deterministic: member <c>i</c> is <c>member{i:D6}@bulk.example</c>.
/// </summary>
public static class BulkMembers
{
    public static async Task AddAsync(ApplicationDbContext db, Guid organizationId, int count, Guid? projectId = null, CancellationToken ct = default)
    {
        if (db.Database.IsNpgsql())
        {
            await AddPostgresAsync(db, organizationId, count, projectId, ct);
            return;
        }
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(ct);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);

        await using var user = connection.CreateCommand();
        user.Transaction = tx;
        user.CommandText = """
            INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, SecurityStamp, ConcurrencyStamp,
                PhoneNumberConfirmed, TwoFactorEnabled, LockoutEnabled, AccessFailedCount, CreatedAt, PrefersDarkMode, DisplayName, LastActiveAt)
            VALUES ($id, $email, $norm, $email, $norm, 1, $stamp, $stamp, 0, 0, 1, 0, $created, 0, $name, $active)
            """;
        var (uid, uemail, unorm, ustamp, ucreated, uname, uactive) = (user.Parameters.Add("$id", SqliteType.Text), user.Parameters.Add("$email", SqliteType.Text),
            user.Parameters.Add("$norm", SqliteType.Text), user.Parameters.Add("$stamp", SqliteType.Text), user.Parameters.Add("$created", SqliteType.Text),
            user.Parameters.Add("$name", SqliteType.Text), user.Parameters.Add("$active", SqliteType.Text));

        await using var role = connection.CreateCommand();
        role.Transaction = tx;
        role.CommandText = """
            INSERT INTO RoleAssignments (Id, OrganizationId, ProjectId, PrincipalType, PrincipalId, Role, CreatedAt, PrincipalName, PrincipalEmail)
            VALUES ($id, $org, $project, 'User', $user, $role, $created, $name, $email)
            """;
        var (rid, rorg, rproject, ruser, rrole, rcreated) = (role.Parameters.Add("$id", SqliteType.Text), role.Parameters.Add("$org", SqliteType.Text),
            role.Parameters.Add("$project", SqliteType.Text), role.Parameters.Add("$user", SqliteType.Text), role.Parameters.Add("$role", SqliteType.Text),
            role.Parameters.Add("$created", SqliteType.Text));
        var (rname, remail) = (role.Parameters.Add("$name", SqliteType.Text), role.Parameters.Add("$email", SqliteType.Text));

        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < count; i++)
        {
            var id = Guid.NewGuid().ToString();
            var email = $"member{i:D6}@bulk.example";
            uid.Value = id;
            uemail.Value = email;
            unorm.Value = email.ToUpperInvariant();
            ustamp.Value = Guid.NewGuid().ToString();
            ucreated.Value = Timestamp(start);
            uname.Value = $"{FirstNames[i % FirstNames.Length]} {LastNames[(i / FirstNames.Length) % LastNames.Length]} {i:D6}";
            uactive.Value = i % 7 == 0 ? DBNull.Value : Timestamp(start.AddMinutes(i * 3L % 500_000));
            await user.ExecuteNonQueryAsync(ct);

            rid.Value = Guid.NewGuid().ToString().ToUpperInvariant();
            rorg.Value = organizationId.ToString().ToUpperInvariant();
            rproject.Value = DBNull.Value;
            ruser.Value = id;
            rname.Value = uname.Value;
            remail.Value = email;
            rrole.Value = (i % 10 == 0 ? Role.OrgBillingAdmin : Role.OrgMember).ToString();
            rcreated.Value = Timestamp(start.AddMinutes(i));
            await role.ExecuteNonQueryAsync(ct);

            if (projectId is { } project && i % 3 == 0)
            {
                rid.Value = Guid.NewGuid().ToString().ToUpperInvariant();
                rproject.Value = project.ToString().ToUpperInvariant();
                rrole.Value = Role.ProjectMember.ToString();
                await role.ExecuteNonQueryAsync(ct);
            }
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>PostgreSQL: binary COPY of the same rows; the member-count trigger is paused and the count set once.</summary>
    private static async Task AddPostgresAsync(ApplicationDbContext db, Guid organizationId, int count, Guid? projectId, CancellationToken ct)
    {
        var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var pause = new Npgsql.NpgsqlCommand("ALTER TABLE \"RoleAssignments\" DISABLE TRIGGER \"RoleAssignments_MemberCount\"; ALTER TABLE \"RoleAssignments\" DISABLE TRIGGER \"RoleAssignments_MemberListing\"", connection, tx))
        {
            await pause.ExecuteNonQueryAsync(ct);
        }
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var users = new List<(string Id, string Email, string Name, DateTime? Active)>(count);
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "SecurityStamp", "ConcurrencyStamp",
                "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount", "CreatedAt", "PrefersDarkMode", "DisplayName", "LastActiveAt") FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            for (var i = 0; i < count; i++)
            {
                var id = Guid.NewGuid().ToString();
                var email = $"member{i:D6}@bulk.example";
                var name = $"{FirstNames[i % FirstNames.Length]} {LastNames[(i / FirstNames.Length) % LastNames.Length]} {i:D6}";
                DateTime? active = i % 7 == 0 ? null : start.AddMinutes(i * 3L % 500_000);
                users.Add((id, email, name, active));
                var stamp = Guid.NewGuid().ToString();
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(id, NpgsqlTypes.NpgsqlDbType.Text, ct);
                await copy.WriteAsync(email, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(email.ToUpperInvariant(), NpgsqlTypes.NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(email, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(email.ToUpperInvariant(), NpgsqlTypes.NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(true, NpgsqlTypes.NpgsqlDbType.Boolean, ct);
                await copy.WriteAsync(stamp, NpgsqlTypes.NpgsqlDbType.Text, ct);
                await copy.WriteAsync(stamp, NpgsqlTypes.NpgsqlDbType.Text, ct);
                await copy.WriteAsync(false, NpgsqlTypes.NpgsqlDbType.Boolean, ct);
                await copy.WriteAsync(false, NpgsqlTypes.NpgsqlDbType.Boolean, ct);
                await copy.WriteAsync(true, NpgsqlTypes.NpgsqlDbType.Boolean, ct);
                await copy.WriteAsync(0, NpgsqlTypes.NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(start, NpgsqlTypes.NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(false, NpgsqlTypes.NpgsqlDbType.Boolean, ct);
                await copy.WriteAsync(name, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
                if (active is { } a) await copy.WriteAsync(a, NpgsqlTypes.NpgsqlDbType.TimestampTz, ct); else await copy.WriteNullAsync(ct);
            }
            await copy.CompleteAsync(ct);
        }
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY "RoleAssignments" ("Id", "OrganizationId", "ProjectId", "PrincipalType", "PrincipalId", "Role", "CreatedAt", "PrincipalName", "PrincipalEmail", "IsListed") FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            for (var i = 0; i < count; i++)
            {
                var u = users[i];
                await WriteAssignmentAsync(copy, organizationId, null, u.Id, (i % 10 == 0 ? Role.OrgBillingAdmin : Role.OrgMember).ToString(), start.AddMinutes(i), u.Name, u.Email, ct);
                if (projectId is { } project && i % 3 == 0)
                {
                    await WriteAssignmentAsync(copy, organizationId, project, u.Id, Role.ProjectMember.ToString(), start.AddMinutes(i), u.Name, u.Email, ct);
                }
            }
            await copy.CompleteAsync(ct);
        }
        await using (var resume = new Npgsql.NpgsqlCommand("""
            ALTER TABLE "RoleAssignments" ENABLE TRIGGER "RoleAssignments_MemberCount";
            ALTER TABLE "RoleAssignments" ENABLE TRIGGER "RoleAssignments_MemberListing";
            UPDATE "Organizations" SET "MemberCount" = (SELECT COUNT(*) FROM "RoleAssignments" r
                WHERE r."OrganizationId" = "Organizations"."Id" AND r."ProjectId" IS NULL AND r."PrincipalType" = 'User') WHERE "Id" = @org;
            ANALYZE "RoleAssignments"; ANALYZE "AspNetUsers";
            """, connection, tx))
        {
            resume.Parameters.AddWithValue("org", organizationId);
            await resume.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    private static async Task WriteAssignmentAsync(Npgsql.NpgsqlBinaryImporter copy, Guid organizationId, Guid? projectId, string userId, string role,
        DateTime created, string name, string email, CancellationToken ct)
    {
        await copy.StartRowAsync(ct);
        await copy.WriteAsync(Guid.NewGuid(), NpgsqlTypes.NpgsqlDbType.Uuid, ct);
        await copy.WriteAsync(organizationId, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
        if (projectId is { } p) await copy.WriteAsync(p, NpgsqlTypes.NpgsqlDbType.Uuid, ct); else await copy.WriteNullAsync(ct);
        await copy.WriteAsync("User", NpgsqlTypes.NpgsqlDbType.Varchar, ct);
        await copy.WriteAsync(userId, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
        await copy.WriteAsync(role, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
        await copy.WriteAsync(created, NpgsqlTypes.NpgsqlDbType.TimestampTz, ct);
        await copy.WriteAsync(name, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
        await copy.WriteAsync(email, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
        // Each bulk member holds one organization role, so that row is their listing row (the trigger is paused for the copy).
        await copy.WriteAsync(projectId is null, NpgsqlTypes.NpgsqlDbType.Boolean, ct);
    }

    // The text form EF Core's SQLite provider stores DateTime in.
    private static string Timestamp(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly string[] FirstNames = ["Ada", "Ben", "Cleo", "Dev", "Eva", "Finn", "Gia", "Hugo", "Ivy", "Jon", "Kai", "Lea"];
    private static readonly string[] LastNames = ["Archer", "Baker", "Cole", "Diaz", "Evans", "Fox", "Gray", "Hart", "Iles", "Jones", "King"];
}
