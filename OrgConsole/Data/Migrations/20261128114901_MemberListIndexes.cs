using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrgConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class MemberListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PrincipalEmail",
                table: "RoleAssignments",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PrincipalName",
                table: "RoleAssignments",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MemberCount",
                table: "Organizations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // Existing role assignments of people get their name and email cached.
            migrationBuilder.Sql("""
                UPDATE "RoleAssignments" SET
                    "PrincipalName" = (SELECT COALESCE(u."DisplayName", u."Email", u."UserName") FROM "AspNetUsers" u WHERE u."Id" = "RoleAssignments"."PrincipalId"),
                    "PrincipalEmail" = (SELECT u."Email" FROM "AspNetUsers" u WHERE u."Id" = "RoleAssignments"."PrincipalId")
                WHERE "PrincipalType" = 'User';
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Members_Email",
                table: "RoleAssignments",
                columns: new[] { "OrganizationId", "PrincipalEmail", "PrincipalName" },
                filter: "\"ProjectId\" IS NULL AND \"PrincipalType\" = 'User'");

            migrationBuilder.CreateIndex(
                name: "IX_Members_Joined",
                table: "RoleAssignments",
                columns: new[] { "OrganizationId", "CreatedAt", "PrincipalEmail" },
                filter: "\"ProjectId\" IS NULL AND \"PrincipalType\" = 'User'");

            migrationBuilder.CreateIndex(
                name: "IX_Members_Name",
                table: "RoleAssignments",
                columns: new[] { "OrganizationId", "PrincipalName", "PrincipalEmail" },
                filter: "\"ProjectId\" IS NULL AND \"PrincipalType\" = 'User'");

            migrationBuilder.CreateIndex(
                name: "IX_Members_Role",
                table: "RoleAssignments",
                columns: new[] { "OrganizationId", "Role", "PrincipalEmail" },
                filter: "\"ProjectId\" IS NULL AND \"PrincipalType\" = 'User'");

            migrationBuilder.Sql(MemberSearchIndex.CreateSqlite);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(MemberSearchIndex.DropSqlite);

            migrationBuilder.DropIndex(
                name: "IX_Members_Email",
                table: "RoleAssignments");

            migrationBuilder.DropIndex(
                name: "IX_Members_Joined",
                table: "RoleAssignments");

            migrationBuilder.DropIndex(
                name: "IX_Members_Name",
                table: "RoleAssignments");

            migrationBuilder.DropIndex(
                name: "IX_Members_Role",
                table: "RoleAssignments");

            migrationBuilder.DropColumn(
                name: "PrincipalEmail",
                table: "RoleAssignments");

            migrationBuilder.DropColumn(
                name: "PrincipalName",
                table: "RoleAssignments");

            migrationBuilder.DropColumn(
                name: "MemberCount",
                table: "Organizations");
        }
    }
}
