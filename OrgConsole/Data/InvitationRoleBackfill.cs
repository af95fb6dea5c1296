namespace OrgConsole.Data;

/// <summary>
/// Invitations held one organization role (a column) and project roles (InvitationProjectRoles); an invite is now a principal
/// with a set of role bindings (InvitationRoles, SPEC §1.3a). <see cref="UpSqlite"/> copies both into bindings before the old
/// column and table go (project roles of projects deleted meanwhile are dropped, as acceptance already ignored them);
/// <see cref="DownSqlite"/> puts each invitation's most privileged organization role back into the column.
/// </summary>
public static class InvitationRoleBackfill
{
    /// <summary>A new id in the text form EF Core stores Guids in on SQLite (upper case, dashed).</summary>
    private const string NewId = """
        (SELECT upper(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' || substr('89AB', 1 + (abs(random()) % 4), 1)
            || substr(h, 18, 3) || '-' || substr(h, 21, 12)) FROM (SELECT hex(randomblob(16)) AS h))
        """;

    public static readonly string UpSqlite = $"""
        INSERT INTO "InvitationRoles" ("Id", "InvitationId", "OrganizationId", "ProjectId", "Role", "CreatedAt")
        SELECT {NewId}, i."Id", i."OrganizationId", NULL, i."Role", i."CreatedAt" FROM "Invitations" i;

        INSERT INTO "InvitationRoles" ("Id", "InvitationId", "OrganizationId", "ProjectId", "Role", "CreatedAt")
        SELECT {NewId}, p."InvitationId", i."OrganizationId", p."ProjectId", p."Role", i."CreatedAt"
        FROM "InvitationProjectRoles" p JOIN "Invitations" i ON i."Id" = p."InvitationId"
        WHERE EXISTS (SELECT 1 FROM "Projects" pr WHERE pr."Id" = p."ProjectId" AND pr."OrganizationId" = i."OrganizationId")
        GROUP BY p."InvitationId", p."ProjectId", p."Role";
        """;

    public static readonly string DownSqlite = """
        UPDATE "Invitations" SET "Role" = coalesce((SELECT r."Role" FROM "InvitationRoles" r
            WHERE r."InvitationId" = "Invitations"."Id" AND r."ProjectId" IS NULL
            ORDER BY CASE r."Role" WHEN 'OrgOwner' THEN 0 WHEN 'OrgMember' THEN 1 ELSE 2 END LIMIT 1), 'OrgMember');

        INSERT INTO "InvitationProjectRoles" ("InvitationId", "ProjectId", "Role")
        SELECT r."InvitationId", r."ProjectId", r."Role" FROM "InvitationRoles" r WHERE r."ProjectId" IS NOT NULL;
        """;
}
