namespace OrgConsole.Data;

/// <summary>
/// Fills the readable labels of audit events written before labels were recorded (used by the migration): people as
/// "Name (email)" from their account, things by their current name, else a name found in the event's own details.
/// These older events were hashed without labels, so filling them in does not disturb their chain. The append-only
/// triggers are lifted for the duration of the statement and put back.
/// </summary>
public static class AuditLabelBackfill
{
    private const string Person = """
        (SELECT CASE WHEN u."DisplayName" IS NULL OR TRIM(u."DisplayName") = '' OR u."DisplayName" = u."Email" THEN u."Email"
                     ELSE u."DisplayName" || ' (' || u."Email" || ')' END
         FROM "AspNetUsers" u WHERE u."Id" = {0})
        """;

    private static string NameOf(string table, string column) =>
        $"""(SELECT t."{column}" FROM "{table}" t WHERE t."Id" = UPPER("AuditEvents"."TargetId"))""";

    public static readonly string Sqlite = AuditTriggers.DropSqlite + $"""

        UPDATE "AuditEvents" SET "ActorLabel" = COALESCE(
            CASE WHEN "ActorType" IN ('User', 'Support') THEN {string.Format(Person, "\"AuditEvents\".\"ActorId\"")} END,
            "ActorName")
        WHERE "ActorLabel" IS NULL;

        UPDATE "AuditEvents" SET "TargetLabel" = COALESCE(
            CASE "TargetType"
                WHEN 'user' THEN {string.Format(Person, "\"AuditEvents\".\"TargetId\"")}
                WHEN 'project' THEN {NameOf("Projects", "Name")}
                WHEN 'organization' THEN {NameOf("Organizations", "Name")}
                WHEN 'billing' THEN {NameOf("Organizations", "Name")}
                WHEN 'api_key' THEN {NameOf("ApiKeys", "Name")}
                WHEN 'invitation' THEN {NameOf("Invitations", "Email")}
                WHEN 'service_account' THEN {NameOf("ServiceAccounts", "Name")}
                WHEN 'invoice' THEN {NameOf("Invoices", "Number")}
            END,
            CASE WHEN json_valid("After") THEN COALESCE(json_extract("After", '$.name'), json_extract("After", '$.email'), json_extract("After", '$.number')) END,
            CASE WHEN json_valid("Before") THEN COALESCE(json_extract("Before", '$.name'), json_extract("Before", '$.email'), json_extract("Before", '$.number')) END)
        WHERE "TargetLabel" IS NULL AND "TargetType" IS NOT NULL;

        """ + AuditTriggers.CreateSqlite;
}
