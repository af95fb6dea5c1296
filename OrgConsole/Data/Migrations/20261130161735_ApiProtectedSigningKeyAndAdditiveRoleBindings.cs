using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrgConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class ApiProtectedSigningKeyAndAdditiveRoleBindings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_RoleAssignments_OrgPrincipal",
                table: "RoleAssignments");

            migrationBuilder.CreateIndex(
                name: "IX_RoleAssignments_OrgPrincipalRole",
                table: "RoleAssignments",
                columns: new[] { "OrganizationId", "PrincipalType", "PrincipalId", "Role" },
                unique: true,
                filter: "\"ProjectId\" IS NULL");

            migrationBuilder.Sql(MemberCountTriggers.UpSqlite);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(MemberCountTriggers.DownSqlite);

            migrationBuilder.DropIndex(
                name: "IX_RoleAssignments_OrgPrincipalRole",
                table: "RoleAssignments");

            migrationBuilder.CreateIndex(
                name: "IX_RoleAssignments_OrgPrincipal",
                table: "RoleAssignments",
                columns: new[] { "OrganizationId", "PrincipalType", "PrincipalId" },
                unique: true,
                filter: "\"ProjectId\" IS NULL");
        }
    }
}
