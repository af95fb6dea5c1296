using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrgConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class SupportVisitsAndAuditChainKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ActorLabel",
                table: "AuditEvents",
                type: "TEXT",
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "KeyId",
                table: "AuditEvents",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TargetLabel",
                table: "AuditEvents",
                type: "TEXT",
                maxLength: 512,
                nullable: true);

            migrationBuilder.Sql(AuditLabelBackfill.Sqlite);

            migrationBuilder.CreateTable(
                name: "SupportVisits",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    StaffUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    OpenedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SupportVisits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SupportVisits_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SupportVisits_OrganizationId",
                table: "SupportVisits",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_SupportVisits_StaffUserId_OrganizationId_ExpiresAt",
                table: "SupportVisits",
                columns: new[] { "StaffUserId", "OrganizationId", "ExpiresAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SupportVisits");

            migrationBuilder.DropColumn(
                name: "ActorLabel",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "KeyId",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "TargetLabel",
                table: "AuditEvents");
        }
    }
}
