namespace OrgConsole.Data;

/// <summary>
/// Role assignments name their principal by id (a user, a service account, an invitation), so no foreign key can point
/// at AspNetUsers. This trigger is the cleanup a foreign key would give: however an account is deleted (the account
/// service, an operator's tool, Identity's own DeleteAsync), no role assignment is left pointing at it.
/// </summary>
public static class AccountCleanup
{
    public const string CreateSqlite = """
        DELETE FROM "RoleAssignments" WHERE "PrincipalType" = 'User' AND "PrincipalId" NOT IN (SELECT "Id" FROM "AspNetUsers");
        CREATE TRIGGER "AspNetUsers_DeleteRoleAssignments" AFTER DELETE ON "AspNetUsers"
        BEGIN DELETE FROM "RoleAssignments" WHERE "PrincipalType" = 'User' AND "PrincipalId" = OLD."Id"; END;
        """;

    public const string DropSqlite = """
        DROP TRIGGER IF EXISTS "AspNetUsers_DeleteRoleAssignments";
        """;

    public const string CreatePostgres = """
        DELETE FROM "RoleAssignments" WHERE "PrincipalType" = 'User' AND "PrincipalId" NOT IN (SELECT "Id" FROM "AspNetUsers");
        CREATE FUNCTION "AspNetUsers_DeleteRoleAssignments"() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM "RoleAssignments" WHERE "PrincipalType" = 'User' AND "PrincipalId" = OLD."Id";
            RETURN OLD;
        END;
        $$;
        CREATE TRIGGER "AspNetUsers_DeleteRoleAssignments" AFTER DELETE ON "AspNetUsers"
        FOR EACH ROW EXECUTE FUNCTION "AspNetUsers_DeleteRoleAssignments"();
        """;

    public const string DropPostgres = """
        DROP TRIGGER IF EXISTS "AspNetUsers_DeleteRoleAssignments" ON "AspNetUsers";
        DROP FUNCTION IF EXISTS "AspNetUsers_DeleteRoleAssignments"();
        """;
}
