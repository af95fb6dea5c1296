using System.Collections.Concurrent;
using System.Security.Cryptography;
using OrgConsole.Common;

namespace OrgConsole.Features.Billing;

/// <summary>What the card form sends to the gateway. Lives only for the duration of the call; never stored or logged.</summary>
public sealed record CardInput(string? Number, int ExpiryMonth, int ExpiryYear, string? Cvc, string? NameOnCard)
{
    /// <summary>Keeps the number and CVC out of any log or exception message that prints the record.</summary>
    public override string ToString() => $"CardInput {{ Number = ****, ExpiryMonth = {ExpiryMonth}, ExpiryYear = {ExpiryYear} }}";
}

/// <summary>What a gateway returns for an accepted card: all that OrgConsole ever keeps of it.</summary>
public sealed record TokenizedCard(string Token, string Brand, string Last4, int ExpiryMonth, int ExpiryYear);

/// <summary>A payment gateway: turns a card into a token, and charges a token. A real gateway plugs in here.</summary>
public interface IPaymentGateway
{
    Task<Result<TokenizedCard>> TokenizeAsync(CardInput card, CancellationToken ct = default);

    /// <summary>
    /// Charges an amount (USD) to a token; returns the gateway's payment reference. A repeated
    /// <paramref name="idempotencyKey"/> charges nothing more and returns the first charge's reference, as real gateways do.
    /// </summary>
    Task<Result<string>> ChargeAsync(string token, decimal amount, string description, string idempotencyKey, CancellationToken ct = default);
}

/// <summary>
/// The embedded default gateway: accepts the well-known test card numbers (with a valid Luhn check digit and a future
/// expiry), declines the well-known decline numbers and everything else, and issues random tokens.
/// </summary>
public sealed class TestPaymentGateway(TimeProvider time) : IPaymentGateway
{
    public const string TokenPrefix = "tok_test_";

    public static readonly IReadOnlyDictionary<string, string> AcceptedCards = new Dictionary<string, string>
    {
        ["4242424242424242"] = "Visa",
        ["4000056655665556"] = "Visa",
        ["5555555555554444"] = "Mastercard",
        ["2223003122003222"] = "Mastercard",
        ["5200828282828210"] = "Mastercard",
        ["378282246310005"] = "American Express",
        ["371449635398431"] = "American Express",
        ["6011111111111117"] = "Discover",
    };

    public static readonly IReadOnlyDictionary<string, string> DeclinedCards = new Dictionary<string, string>
    {
        ["4000000000000002"] = "The card was declined.",
        ["4000000000009995"] = "The card was declined: insufficient funds.",
        ["4000000000000069"] = "The card was declined: it has expired.",
        ["4000000000000127"] = "The card was declined: the security code is incorrect.",
    };

    public Task<Result<TokenizedCard>> TokenizeAsync(CardInput card, CancellationToken ct = default)
    {
        var checkedCard = CardRules.Validate(card, time.GetUtcNow());
        if (!checkedCard.IsSuccess) return Task.FromResult<Result<TokenizedCard>>(checkedCard.Error);
        var digits = checkedCard.Value;
        if (DeclinedCards.TryGetValue(digits, out var declined)) return Task.FromResult<Result<TokenizedCard>>(Error.Validation("Number", declined));
        if (!AcceptedCards.TryGetValue(digits, out var brand))
        {
            return Task.FromResult<Result<TokenizedCard>>(Error.Validation("Number",
                "The card was declined. The built-in test gateway accepts only test cards, such as 4242 4242 4242 4242."));
        }
        var token = TokenPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return Task.FromResult<Result<TokenizedCard>>(new TokenizedCard(token, brand, digits[^4..], card.ExpiryMonth, card.ExpiryYear));
    }

    /// <summary>A charge the test gateway made (its "dashboard"), keyed by the idempotency key it was made with.</summary>
    public sealed record Charge(string Reference, string Token, decimal Amount, string Description, string IdempotencyKey);

    private readonly ConcurrentDictionary<string, Charge> _charges = new(StringComparer.Ordinal);

    /// <summary>Every charge made since the app started.</summary>
    public IReadOnlyCollection<Charge> Charges => _charges.Values.ToList();

    public Task<Result<string>> ChargeAsync(string token, decimal amount, string description, string idempotencyKey, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey)) return Task.FromResult<Result<string>>(Error.Validation("IdempotencyKey", "A charge needs an idempotency key."));
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal)) return Task.FromResult<Result<string>>(Error.Validation("Card", "The payment method is not known to the gateway."));
        if (amount < 0) return Task.FromResult<Result<string>>(Error.Validation("Amount", "A charge cannot be negative."));
        var charge = _charges.GetOrAdd(idempotencyKey, key =>
            new Charge("ch_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), token, amount, description, key));
        // A key reused for a different charge is refused, not silently answered with the first one.
        if (charge.Token != token || charge.Amount != amount)
        {
            return Task.FromResult<Result<string>>(Error.Conflict("The gateway refused the charge: its idempotency key was used for a different charge."));
        }
        return Task.FromResult<Result<string>>(charge.Reference);
    }
}

public static class CardRules
{
    /// <summary>Checks the shape of a card (digits, Luhn, expiry, CVC); returns the bare digits.</summary>
    public static Result<string> Validate(CardInput card, DateTimeOffset now)
    {
        var digits = new string((card.Number ?? "").Where(c => c is not (' ' or '-')).ToArray());
        if (digits.Length == 0) return Error.Validation("Number", "Enter the card number.");
        if (!digits.All(char.IsAsciiDigit) || digits.Length is < 12 or > 19) return Error.Validation("Number", "A card number has 12 to 19 digits.");
        if (!PassesLuhn(digits)) return Error.Validation("Number", "This card number is not valid. Check it for typing errors.");
        if (card.ExpiryMonth is < 1 or > 12) return Error.Validation("Expiry", "Enter the expiry month (1–12).");
        if (card.ExpiryYear < 2000 || card.ExpiryYear > now.Year + 30) return Error.Validation("Expiry", "Enter the expiry year as four digits.");
        if (card.ExpiryYear < now.Year || (card.ExpiryYear == now.Year && card.ExpiryMonth < now.Month))
        {
            return Error.Validation("Expiry", "This card has expired.");
        }
        var cvc = card.Cvc?.Trim() ?? "";
        var cvcLength = digits.StartsWith("34", StringComparison.Ordinal) || digits.StartsWith("37", StringComparison.Ordinal) ? 4 : 3;
        if (cvc.Length != cvcLength || !cvc.All(char.IsAsciiDigit)) return Error.Validation("Cvc", $"Enter the {cvcLength}-digit security code.");
        return digits;
    }

    public static bool PassesLuhn(string digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }
}
