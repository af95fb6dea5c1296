namespace OrgConsole.Data;

/// <summary>
/// What keeps the members table fast at 100,000 members (SPEC §3), kept in step with RoleAssignments by triggers:
/// a trigram full-text index over every membership's name and email (SQLite FTS5) for "contains" searches, and
/// each organization's member count, so an unfiltered page does not count the whole organization again.
/// </summary>
public static class MemberSearchIndex
{
    public const string Table = "MemberSearch";

    /// <summary>Trigram matching needs at least three characters; shorter searches fall back to a scan.</summary>
    public const int MinimumLength = 3;

    private const string MemberRow = "\"ProjectId\" IS NULL AND \"PrincipalType\" = 'User'";
    private const string NewIsMember = "NEW.\"ProjectId\" IS NULL AND NEW.\"PrincipalType\" = 'User'";
    private const string OldIsMember = "OLD.\"ProjectId\" IS NULL AND OLD.\"PrincipalType\" = 'User'";

    public const string CreateSqlite = $"""
        CREATE VIRTUAL TABLE "{Table}" USING fts5("AssignmentId" UNINDEXED, "OrganizationId" UNINDEXED, "Text", tokenize = 'trigram');

        CREATE TRIGGER "RoleAssignments_MemberSearch_Insert" AFTER INSERT ON "RoleAssignments"
        WHEN {NewIsMember}
        BEGIN
            UPDATE "Organizations" SET "MemberCount" = "MemberCount" + 1 WHERE "Id" = NEW."OrganizationId";
            INSERT INTO "{Table}" ("AssignmentId", "OrganizationId", "Text")
            VALUES (NEW."Id", NEW."OrganizationId", coalesce(NEW."PrincipalEmail", '') || ' ' || coalesce(NEW."PrincipalName", ''));
        END;

        CREATE TRIGGER "RoleAssignments_MemberSearch_Delete" AFTER DELETE ON "RoleAssignments"
        WHEN {OldIsMember}
        BEGIN
            UPDATE "Organizations" SET "MemberCount" = "MemberCount" - 1 WHERE "Id" = OLD."OrganizationId";
            DELETE FROM "{Table}" WHERE "AssignmentId" = OLD."Id";
        END;

        CREATE TRIGGER "RoleAssignments_MemberSearch_Update" AFTER UPDATE OF "PrincipalEmail", "PrincipalName" ON "RoleAssignments"
        WHEN {NewIsMember}
        BEGIN
            DELETE FROM "{Table}" WHERE "AssignmentId" = OLD."Id";
            INSERT INTO "{Table}" ("AssignmentId", "OrganizationId", "Text")
            VALUES (NEW."Id", NEW."OrganizationId", coalesce(NEW."PrincipalEmail", '') || ' ' || coalesce(NEW."PrincipalName", ''));
        END;

        UPDATE "Organizations" SET "MemberCount" =
            (SELECT COUNT(*) FROM "RoleAssignments" r WHERE r."OrganizationId" = "Organizations"."Id" AND r."ProjectId" IS NULL AND r."PrincipalType" = 'User');

        INSERT INTO "{Table}" ("AssignmentId", "OrganizationId", "Text")
        SELECT "Id", "OrganizationId", coalesce("PrincipalEmail", '') || ' ' || coalesce("PrincipalName", '')
        FROM "RoleAssignments" WHERE {MemberRow};
        """;

    public const string DropSqlite = $"""
        DROP TRIGGER IF EXISTS "RoleAssignments_MemberSearch_Insert";
        DROP TRIGGER IF EXISTS "RoleAssignments_MemberSearch_Delete";
        DROP TRIGGER IF EXISTS "RoleAssignments_MemberSearch_Update";
        DROP TABLE IF EXISTS "{Table}";
        """;

    /// <summary>
    /// PostgreSQL: a pg_trgm GIN index over the members' email and name (the search is <c>ILIKE '%text%'</c> on either,
    /// which the index answers), and the member count kept by a plpgsql trigger. Needs the pg_trgm extension
    /// (a trusted extension: the database owner may create it). The index has no pending list (<c>fastupdate = off</c>):
    /// with one, new members' trigrams wait unsorted in a list every search reads end to end until the next vacuum
    /// (up to 4 MB — a search went from 1.6 to 27 ms after a bulk load); adding a member costs a little more instead.
    /// </summary>
    public const string CreatePostgres = $"""
        CREATE EXTENSION IF NOT EXISTS pg_trgm;

        CREATE INDEX "IX_Members_Search" ON "RoleAssignments" USING gin ("PrincipalEmail" gin_trgm_ops, "PrincipalName" gin_trgm_ops)
        WITH (fastupdate = off) WHERE {MemberRow};

        CREATE FUNCTION "RoleAssignments_MemberCount"() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                IF {NewIsMember} THEN
                    UPDATE "Organizations" SET "MemberCount" = "MemberCount" + 1 WHERE "Id" = NEW."OrganizationId";
                END IF;
                RETURN NEW;
            END IF;
            IF {OldIsMember} THEN
                UPDATE "Organizations" SET "MemberCount" = "MemberCount" - 1 WHERE "Id" = OLD."OrganizationId";
            END IF;
            RETURN OLD;
        END;
        $$;

        CREATE TRIGGER "RoleAssignments_MemberCount" AFTER INSERT OR DELETE ON "RoleAssignments"
        FOR EACH ROW EXECUTE FUNCTION "RoleAssignments_MemberCount"();

        UPDATE "Organizations" SET "MemberCount" =
            (SELECT COUNT(*) FROM "RoleAssignments" r WHERE r."OrganizationId" = "Organizations"."Id" AND r."ProjectId" IS NULL AND r."PrincipalType" = 'User');
        """;

    public const string DropPostgres = """
        DROP TRIGGER IF EXISTS "RoleAssignments_MemberCount" ON "RoleAssignments";
        DROP FUNCTION IF EXISTS "RoleAssignments_MemberCount"();
        DROP INDEX IF EXISTS "IX_Members_Search";
        """;

    /// <summary>PostgreSQL: the ILIKE pattern that matches the text literally anywhere (backslash escapes).</summary>
    public static string ContainsPattern(string text) =>
        "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    /// <summary>An FTS5 query that matches the text literally (as one quoted phrase).</summary>
    public static string Phrase(string text) => "\"" + text.Replace("\"", "\"\"") + "\"";
}

/// <summary>One row of the member search index.</summary>
public sealed class MemberSearchHit
{
    public Guid AssignmentId { get; set; }

    public required string OrganizationId { get; set; }
}
