namespace OrgConsole.Data;

/// <summary>
/// Role bindings are a set (SPEC §1.3a): a person may hold several organization roles, one RoleAssignments row each.
/// The member list shows one row per person, so exactly one of a person's organization rows carries
/// <c>"IsListed" = 1</c> — the row of their most privileged role (Owner, then User, then Billing admin; ties by id) —
/// and the list's indexes (IX_Members_*) hold only those rows. Triggers keep the mark in the same statement that adds,
/// removes or changes a role, whoever does it (console, Admin API, invitations, bulk loads).
/// </summary>
public static class MemberListing
{
    private const string Rank = "CASE o.\"Role\" WHEN 'OrgOwner' THEN 0 WHEN 'OrgMember' THEN 1 ELSE 2 END";

    /// <summary>The listing row of the person of row {0}: their most privileged organization row.</summary>
    private const string ListingRowOf = "SELECT o.\"Id\" FROM \"RoleAssignments\" o WHERE o.\"OrganizationId\" = {0}.\"OrganizationId\" " +
        "AND o.\"ProjectId\" IS NULL AND o.\"PrincipalType\" = 'User' AND o.\"PrincipalId\" = {0}.\"PrincipalId\" ORDER BY " + Rank + ", o.\"Id\" LIMIT 1";

    /// <summary>Re-marks the organization rows of the person of row {0} (OLD or NEW), writing only the rows whose mark changes.</summary>
    private static string Relist(string row) => $"""
            UPDATE "RoleAssignments" SET "IsListed" = NOT "IsListed"
            WHERE {row}."ProjectId" IS NULL AND {row}."PrincipalType" = 'User'
              AND "OrganizationId" = {row}."OrganizationId" AND "ProjectId" IS NULL AND "PrincipalType" = 'User' AND "PrincipalId" = {row}."PrincipalId"
              AND "IsListed" <> ("Id" = ({string.Format(ListingRowOf, row)}));
        """;

    /// <summary>Marks every existing person's listing row (the migration's backfill; idempotent).</summary>
    public static readonly string Backfill = $"""
        UPDATE "RoleAssignments" SET "IsListed" = ("Id" = ({string.Format(ListingRowOf, "\"RoleAssignments\"")}))
        WHERE "ProjectId" IS NULL AND "PrincipalType" = 'User';
        """;

    public static readonly string UpSqlite = $"""
        CREATE TRIGGER "RoleAssignments_MemberListing_Insert" AFTER INSERT ON "RoleAssignments"
        WHEN NEW."ProjectId" IS NULL AND NEW."PrincipalType" = 'User'
        BEGIN
        {Relist("NEW")}
        END;

        CREATE TRIGGER "RoleAssignments_MemberListing_Delete" AFTER DELETE ON "RoleAssignments"
        WHEN OLD."ProjectId" IS NULL AND OLD."PrincipalType" = 'User'
        BEGIN
        {Relist("OLD")}
        END;

        CREATE TRIGGER "RoleAssignments_MemberListing_Update" AFTER UPDATE OF "Role", "OrganizationId", "ProjectId", "PrincipalType", "PrincipalId" ON "RoleAssignments"
        BEGIN
            UPDATE "RoleAssignments" SET "IsListed" = 0 WHERE "Id" = NEW."Id" AND "IsListed" AND NOT (NEW."ProjectId" IS NULL AND NEW."PrincipalType" = 'User');
        {Relist("OLD")}
        {Relist("NEW")}
        END;

        {Backfill}
        """;

    public const string DownSqlite = """
        DROP TRIGGER IF EXISTS "RoleAssignments_MemberListing_Insert";
        DROP TRIGGER IF EXISTS "RoleAssignments_MemberListing_Delete";
        DROP TRIGGER IF EXISTS "RoleAssignments_MemberListing_Update";
        """;

    /// <summary>PostgreSQL: the same marking as one plpgsql trigger function.</summary>
    public static readonly string UpPostgres = $"""
        CREATE FUNCTION "RoleAssignments_MemberListing"() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
        {Relist("NEW")}
                RETURN NEW;
            ELSIF TG_OP = 'DELETE' THEN
        {Relist("OLD")}
                RETURN OLD;
            END IF;
            UPDATE "RoleAssignments" SET "IsListed" = FALSE WHERE "Id" = NEW."Id" AND "IsListed" AND NOT (NEW."ProjectId" IS NULL AND NEW."PrincipalType" = 'User');
        {Relist("OLD")}
        {Relist("NEW")}
            RETURN NEW;
        END;
        $$;

        CREATE TRIGGER "RoleAssignments_MemberListing" AFTER INSERT OR DELETE OR UPDATE OF "Role", "OrganizationId", "ProjectId", "PrincipalType", "PrincipalId"
        ON "RoleAssignments" FOR EACH ROW EXECUTE FUNCTION "RoleAssignments_MemberListing"();

        {Backfill}
        """;

    public const string DownPostgres = """
        DROP TRIGGER IF EXISTS "RoleAssignments_MemberListing" ON "RoleAssignments";
        DROP FUNCTION IF EXISTS "RoleAssignments_MemberListing"();
        """;
}
