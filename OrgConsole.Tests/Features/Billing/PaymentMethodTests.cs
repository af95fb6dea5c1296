using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Common;
using OrgConsole.Features.Billing;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Billing;

public sealed class PaymentMethodTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("4242424242424242", true)]
    [InlineData("5555555555554444", true)]
    [InlineData("378282246310005", true)]
    [InlineData("4242424242424241", false)]
    [InlineData("1234567812345678", false)]
    public void Luhn_AcceptsValidNumbersOnly(string number, bool valid) => Assert.Equal(valid, CardRules.PassesLuhn(number));

    [Theory(Timeout = 10_000)]
    [InlineData("4242 4242 4242 4242", "123", "Visa", "4242")]
    [InlineData("5555-5555-5555-4444", "123", "Mastercard", "4444")]
    [InlineData("378282246310005", "1234", "American Express", "0005")]
    public async Task TestGateway_AcceptsTheWellKnownTestCards_AndReturnsAToken(string number, string cvc, string brand, string last4)
    {
        var gateway = new TestPaymentGateway(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now));

        var card = await gateway.TokenizeAsync(new CardInput(number, 1, 2027, cvc, "Bea"));

        Assert.True(card.IsSuccess, card.Error?.Message);
        Assert.Equal((brand, last4), (card.Value.Brand, card.Value.Last4));
        Assert.StartsWith(TestPaymentGateway.TokenPrefix, card.Value.Token);
        Assert.DoesNotContain(number.Replace(" ", "").Replace("-", ""), card.Value.Token);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("4000000000000002", 12, 2030, "123", "Number", "declined")]
    [InlineData("4000000000009995", 12, 2030, "123", "Number", "insufficient funds")]
    [InlineData("4111111111111112", 12, 2030, "123", "Number", "not valid")]       // fails Luhn
    [InlineData("4012888888881881", 12, 2030, "123", "Number", "test cards")]      // valid, but not a test card
    [InlineData("4242424242424242", 10, 2026, "123", "Expiry", "expired")]
    [InlineData("4242424242424242", 13, 2030, "123", "Expiry", "month")]
    [InlineData("4242424242424242", 12, 2030, "12", "Cvc", "3-digit")]
    [InlineData("", 12, 2030, "123", "Number", "Enter the card number")]
    public async Task TestGateway_DeclinesOrRejects_WithAClearMessageOnTheField(string number, int month, int year, string cvc, string field, string message)
    {
        var gateway = new TestPaymentGateway(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now));

        var card = await gateway.TokenizeAsync(new CardInput(number, month, year, cvc, null));

        Assert.Equal(ErrorKind.Validation, card.Error?.Kind);
        Assert.Contains(message, card.Error?.For(field));
    }

    [Fact(Timeout = 60_000)]
    public async Task SavedCard_KeepsOnlyTokenBrandLast4AndExpiry_TheNumberIsNowhereInTheDatabase()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _, admin, _) = await db.StandardOrgAsync(withCard: false);

        var saved = await db.Service<BillingService>(admin).SetPaymentMethodAsync(orgId, new CardInput("5555 5555 5555 4444", 7, 2031, "987", "Bea Billing"));
        Assert.True(saved.IsSuccess, saved.Error?.Message);
        Assert.Equal(new PaymentMethodSummary("Mastercard", "4444", 7, 2031), saved.Value);
        var overview = (await db.Service<BillingService>(admin).GetAsync(orgId)).Value;
        Assert.Equal(saved.Value, overview.PaymentMethod);
        Assert.Contains(await db.AuditEventsAsync(orgId), e => e.Action == "billing.payment_method_set");

        // Every text value of every table, and the raw file bytes, must be free of the number.
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
            var dump = await DumpAllTextAsync(ctx);
            Assert.Contains("4444", dump); // the dump does see the last 4 digits
            Assert.DoesNotContain("5555555555554444", dump);
            Assert.DoesNotContain("5555 5555 5555 4444", dump);
        }
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { db.DatabasePath, db.DatabasePath + "-wal" }.Where(File.Exists))
        {
            var bytes = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file));
            Assert.DoesNotContain("5555555555554444", bytes);
            Assert.DoesNotContain("5555 5555 5555 4444", bytes);
        }
    }

    private static async Task<string> DumpAllTextAsync(OrgConsole.Data.ApplicationDbContext ctx)
    {
        var connection = ctx.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        var all = new StringBuilder();
        foreach (var table in tables)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++) all.Append(reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i))).Append('|');
            }
        }
        return all.ToString();
    }

    [Fact(Timeout = 60_000)]
    public async Task DeclinedCard_ChangesNothing_AndIsNotAudited()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _, admin, _) = await db.StandardOrgAsync(withCard: false);
        var before = (await db.AuditEventsAsync(orgId)).Count;

        var result = await db.Service<BillingService>(admin).SetPaymentMethodAsync(orgId, new CardInput("4000000000000002", 12, 2030, "123", null));

        Assert.Equal("The card was declined.", result.Error?.For("Number"));
        Assert.Null((await db.Service<BillingService>(admin).GetAsync(orgId)).Value.PaymentMethod);
        Assert.Equal(before, (await db.AuditEventsAsync(orgId)).Count);
    }
}
