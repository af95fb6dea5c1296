using System.Text.RegularExpressions;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

/// <summary>The development outbox holds reset links: it is readable only where Email:ShowOutbox is on (Development).</summary>
public sealed partial class OutboxVisibilityTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public async Task TheOutboxPage_ShowsMessagesOnlyWhenAllowed(string showOutbox, bool visible)
    {
        await using var app = AppFactory.InMemory(new Dictionary<string, string> { ["Email:ShowOutbox"] = showOutbox });
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/Account/ForgotPassword");
        var token = Antiforgery().Match(form).Groups[1].Value;
        await client.PostAsync("/Account/ForgotPassword", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "forgot-password", ["__RequestVerificationToken"] = token, ["Input.Email"] = "eli@acme.example",
        }));

        var outbox = await client.GetStringAsync("/dev/outbox");

        Assert.Equal(visible, outbox.Contains("Reset your OrgConsole password"));
        Assert.Equal(visible, outbox.Contains("Account/ResetPassword"));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
