using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrgConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class InvoicePaymentClaim : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "PaymentAttempts",
                table: "Invoices",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "PaymentStartedAt",
                table: "Invoices",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PaymentAttempts",
                table: "Invoices");

            migrationBuilder.DropColumn(
                name: "PaymentStartedAt",
                table: "Invoices");
        }
    }
}
