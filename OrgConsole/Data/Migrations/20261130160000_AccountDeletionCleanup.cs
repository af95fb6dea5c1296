using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrgConsole.Data.Migrations
{
    /// <summary>No model change: a trigger that removes a deleted account's role assignments (see <see cref="AccountCleanup"/>).</summary>
    [DbContext(typeof(ApplicationDbContext))]
    [Migration("20261130160000_AccountDeletionCleanup")]
    public partial class AccountDeletionCleanup : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(AccountCleanup.CreateSqlite);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(AccountCleanup.DropSqlite);
        }
    }
}
