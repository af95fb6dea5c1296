namespace OrgConsole.Data;

/// <summary>
/// Role bindings are a set (SPEC §1.3a): a member may hold several organization roles, one row each. The member count
/// counts people, not rows: a row adds a member only when it is the person's first organization row, and removing a row
/// takes one away only when it was their last. Replaces the count half of <see cref="MemberSearchIndex"/>'s triggers
/// (the search index keeps one entry per row; the member lists show one row per person).
/// </summary>
public static class MemberCountTriggers
{
    private const string SameMember = "r.\"OrganizationId\" = {0}.\"OrganizationId\" AND r.\"ProjectId\" IS NULL AND r.\"PrincipalType\" = 'User' AND r.\"PrincipalId\" = {0}.\"PrincipalId\" AND r.\"Id\" <> {0}.\"Id\"";

    public static readonly string UpSqlite = $"""
        DROP TRIGGER IF EXISTS "RoleAssignments_MemberSearch_Insert";
        DROP TRIGGER IF EXISTS "RoleAssignments_MemberSearch_Delete";

        CREATE TRIGGER "RoleAssignments_MemberSearch_Insert" AFTER INSERT ON "RoleAssignments"
        WHEN NEW."ProjectId" IS NULL AND NEW."PrincipalType" = 'User'
        BEGIN
            UPDATE "Organizations" SET "MemberCount" = "MemberCount" + 1 WHERE "Id" = NEW."OrganizationId"
                AND NOT EXISTS (SELECT 1 FROM "RoleAssignments" r WHERE {string.Format(SameMember, "NEW")});
            INSERT INTO "{MemberSearchIndex.Table}" ("AssignmentId", "OrganizationId", "Text")
            VALUES (NEW."Id", NEW."OrganizationId", coalesce(NEW."PrincipalEmail", '') || ' ' || coalesce(NEW."PrincipalName", ''));
        END;

        CREATE TRIGGER "RoleAssignments_MemberSearch_Delete" AFTER DELETE ON "RoleAssignments"
        WHEN OLD."ProjectId" IS NULL AND OLD."PrincipalType" = 'User'
        BEGIN
            UPDATE "Organizations" SET "MemberCount" = "MemberCount" - 1 WHERE "Id" = OLD."OrganizationId"
                AND NOT EXISTS (SELECT 1 FROM "RoleAssignments" r WHERE {string.Format(SameMember, "OLD")});
            DELETE FROM "{MemberSearchIndex.Table}" WHERE "AssignmentId" = OLD."Id";
        END;

        UPDATE "Organizations" SET "MemberCount" = (SELECT COUNT(DISTINCT r."PrincipalId") FROM "RoleAssignments" r
            WHERE r."OrganizationId" = "Organizations"."Id" AND r."ProjectId" IS NULL AND r."PrincipalType" = 'User');
        """;

    /// <summary>Back to one row per member: keeps each person's most privileged organization row, and the old triggers.</summary>
    public static readonly string DownSqlite = MemberSearchIndex.DropSqlite + MemberSearchIndex.CreateSqlite + """
        DELETE FROM "RoleAssignments" WHERE "ProjectId" IS NULL AND EXISTS (SELECT 1 FROM "RoleAssignments" o
            WHERE o."OrganizationId" = "RoleAssignments"."OrganizationId" AND o."ProjectId" IS NULL
              AND o."PrincipalType" = "RoleAssignments"."PrincipalType" AND o."PrincipalId" = "RoleAssignments"."PrincipalId"
              AND (CASE o."Role" WHEN 'OrgOwner' THEN 0 WHEN 'OrgMember' THEN 1 ELSE 2 END)
                < (CASE "RoleAssignments"."Role" WHEN 'OrgOwner' THEN 0 WHEN 'OrgMember' THEN 1 ELSE 2 END));
        """;

    /// <summary>PostgreSQL: the same people-not-rows count, replacing the function behind <see cref="MemberSearchIndex"/>'s count trigger.</summary>
    public static readonly string UpPostgres = $"""
        CREATE OR REPLACE FUNCTION "RoleAssignments_MemberCount"() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                IF NEW."ProjectId" IS NULL AND NEW."PrincipalType" = 'User'
                   AND NOT EXISTS (SELECT 1 FROM "RoleAssignments" r WHERE {string.Format(SameMember, "NEW")}) THEN
                    UPDATE "Organizations" SET "MemberCount" = "MemberCount" + 1 WHERE "Id" = NEW."OrganizationId";
                END IF;
                RETURN NEW;
            END IF;
            IF OLD."ProjectId" IS NULL AND OLD."PrincipalType" = 'User'
               AND NOT EXISTS (SELECT 1 FROM "RoleAssignments" r WHERE {string.Format(SameMember, "OLD")}) THEN
                UPDATE "Organizations" SET "MemberCount" = "MemberCount" - 1 WHERE "Id" = OLD."OrganizationId";
            END IF;
            RETURN OLD;
        END;
        $$;

        UPDATE "Organizations" SET "MemberCount" = (SELECT COUNT(DISTINCT r."PrincipalId") FROM "RoleAssignments" r
            WHERE r."OrganizationId" = "Organizations"."Id" AND r."ProjectId" IS NULL AND r."PrincipalType" = 'User');
        """;
}
