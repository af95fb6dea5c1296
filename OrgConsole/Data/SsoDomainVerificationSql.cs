using Microsoft.EntityFrameworkCore.Migrations;

namespace OrgConsole.Data;

/// <summary>
/// Data step of the SSO domain verification migration: domains claimed before verification existed get a random
/// challenge token and stay unverified (nothing proved their ownership), dated from their connection's creation.
/// </summary>
public static class SsoDomainVerificationSql
{
    public static void Backfill(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        UPDATE "SsoDomains" SET
            "VerificationToken" = lower(hex(randomblob(20))),
            "ClaimedAt" = COALESCE((SELECT c."CreatedAt" FROM "SsoConnections" c WHERE c."Id" = "SsoDomains"."ConnectionId"), "ClaimedAt")
        WHERE "VerificationToken" = '';
        """);
}
