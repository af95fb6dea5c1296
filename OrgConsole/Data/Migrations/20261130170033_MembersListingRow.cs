using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrgConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class MembersListingRow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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

            migrationBuilder.AddColumn<bool>(
                name: "IsListed",
                table: "RoleAssignments",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.Sql(MemberListing.UpSqlite);

            migrationBuilder.CreateIndex(
                name: "IX_Members_Email",
                table: "RoleAssignments",
                columns: new[] { "OrganizationId", "PrincipalEmail", "PrincipalName" },
                filter: "\"ProjectId\" IS NULL AND \"PrincipalType\" = 'User' AND \"IsListed\"");

            migrationBuilder.CreateIndex(
                name: "IX_Members_Joined",
                table: "RoleAssignments",
                columns: new[] { "OrganizationId", "CreatedAt", "PrincipalEmail" },
                filter: "\"ProjectId\" IS NULL AND \"PrincipalType\" = 'User' AND \"IsListed\"");

            migrationBuilder.CreateIndex(
                name: "IX_Members_Name",
                table: "RoleAssignments",
                columns: new[] { "OrganizationId", "PrincipalName", "PrincipalEmail" },
                filter: "\"ProjectId\" IS NULL AND \"PrincipalType\" = 'User' AND \"IsListed\"");

            migrationBuilder.CreateIndex(
                name: "IX_Members_Role",
                table: "RoleAssignments",
                columns: new[] { "OrganizationId", "Role", "PrincipalEmail" },
                filter: "\"ProjectId\" IS NULL AND \"PrincipalType\" = 'User' AND \"IsListed\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(MemberListing.DownSqlite);
            // Dropping the column rebuilds RoleAssignments; SQLite re-checks the account-cleanup trigger that names it.
            migrationBuilder.Sql(AccountCleanup.DropSqlite);

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
                name: "IsListed",
                table: "RoleAssignments");

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

            migrationBuilder.Sql(AccountCleanup.CreateSqlite);
        }
    }
}
