namespace OrgConsole.Data;

/// <summary>Database triggers that make the AuditEvents table append-only (used by the migrations).</summary>
public static class AuditTriggers
{
    public const string Message = "audit events are append-only";

    public const string CreateSqlite = $"""
        CREATE TRIGGER "AuditEvents_NoUpdate" BEFORE UPDATE ON "AuditEvents"
        BEGIN SELECT RAISE(ABORT, '{Message}'); END;
        CREATE TRIGGER "AuditEvents_NoDelete" BEFORE DELETE ON "AuditEvents"
        BEGIN SELECT RAISE(ABORT, '{Message}'); END;
        """;

    public const string DropSqlite = """
        DROP TRIGGER IF EXISTS "AuditEvents_NoUpdate";
        DROP TRIGGER IF EXISTS "AuditEvents_NoDelete";
        """;
}
