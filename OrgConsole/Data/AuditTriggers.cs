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

    /// <summary>PostgreSQL: one plpgsql function refuses UPDATE, DELETE (per row) and TRUNCATE (per statement).</summary>
    public const string CreatePostgres = $"""
        CREATE FUNCTION "AuditEvents_AppendOnly"() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{Message}' USING ERRCODE = 'restrict_violation';
        END;
        $$;
        CREATE TRIGGER "AuditEvents_NoUpdate" BEFORE UPDATE ON "AuditEvents" FOR EACH ROW EXECUTE FUNCTION "AuditEvents_AppendOnly"();
        CREATE TRIGGER "AuditEvents_NoDelete" BEFORE DELETE ON "AuditEvents" FOR EACH ROW EXECUTE FUNCTION "AuditEvents_AppendOnly"();
        CREATE TRIGGER "AuditEvents_NoTruncate" BEFORE TRUNCATE ON "AuditEvents" FOR EACH STATEMENT EXECUTE FUNCTION "AuditEvents_AppendOnly"();
        """;

    public const string DropPostgres = """
        DROP TRIGGER IF EXISTS "AuditEvents_NoUpdate" ON "AuditEvents";
        DROP TRIGGER IF EXISTS "AuditEvents_NoDelete" ON "AuditEvents";
        DROP TRIGGER IF EXISTS "AuditEvents_NoTruncate" ON "AuditEvents";
        DROP FUNCTION IF EXISTS "AuditEvents_AppendOnly"();
        """;
}
