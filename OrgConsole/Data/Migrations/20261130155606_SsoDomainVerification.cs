using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrgConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class SsoDomainVerification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SsoDomains_ConnectionId",
                table: "SsoDomains");

            migrationBuilder.DropIndex(
                name: "IX_SsoDomains_Domain",
                table: "SsoDomains");

            migrationBuilder.AddColumn<DateTime>(
                name: "ClaimedAt",
                table: "SsoDomains",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<string>(
                name: "VerificationToken",
                table: "SsoDomains",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "VerifiedAt",
                table: "SsoDomains",
                type: "TEXT",
                nullable: true);

            SsoDomainVerificationSql.Backfill(migrationBuilder);

            migrationBuilder.CreateIndex(
                name: "IX_SsoDomains_ConnectionId_Domain",
                table: "SsoDomains",
                columns: new[] { "ConnectionId", "Domain" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SsoDomains_Domain",
                table: "SsoDomains",
                column: "Domain");

            migrationBuilder.CreateIndex(
                name: "IX_SsoDomains_Domain_Verified",
                table: "SsoDomains",
                column: "Domain",
                unique: true,
                filter: "\"VerifiedAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SsoDomains_ConnectionId_Domain",
                table: "SsoDomains");

            migrationBuilder.DropIndex(
                name: "IX_SsoDomains_Domain",
                table: "SsoDomains");

            migrationBuilder.DropIndex(
                name: "IX_SsoDomains_Domain_Verified",
                table: "SsoDomains");

            migrationBuilder.DropColumn(
                name: "ClaimedAt",
                table: "SsoDomains");

            migrationBuilder.DropColumn(
                name: "VerificationToken",
                table: "SsoDomains");

            migrationBuilder.DropColumn(
                name: "VerifiedAt",
                table: "SsoDomains");

            migrationBuilder.CreateIndex(
                name: "IX_SsoDomains_ConnectionId",
                table: "SsoDomains",
                column: "ConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_SsoDomains_Domain",
                table: "SsoDomains",
                column: "Domain",
                unique: true);
        }
    }
}
