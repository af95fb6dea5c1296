using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Api;

/// <summary>The account pages as a signed-in person sees them: no template developer notes, a scannable 2FA QR code.</summary>
public sealed partial class AccountPagesTests : IAsyncLifetime
{
    private readonly AppFactory _app = AppFactory.InMemory();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task AuthenticatorSetup_ShowsAServerRenderedQrCode_ForTheOtpauthUri_AndNoTemplateNote()
    {
        var client = NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await AccountForms.PostLoginAsync(client, "eli@acme.example", AccountForms.DemoPassword)).StatusCode);

        var page = await client.GetStringAsync("/Account/Manage/EnableAuthenticator");

        Assert.DoesNotContain("enable QR code generation", page);
        Assert.DoesNotContain("go.microsoft.com", page);
        var image = QrImage().Match(WebUtility.HtmlDecode(page));
        Assert.True(image.Success, "the page has no QR code image");
        var svg = Encoding.UTF8.GetString(Convert.FromBase64String(image.Groups[1].Value));
        Assert.StartsWith("<svg", svg.TrimStart().Replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "").TrimStart());
        Assert.Contains("<rect", svg);
    }

    [Fact(Timeout = 60_000)]
    public async Task TheErrorPage_AndThePasswordResetConfirmation_CarryNoDeveloperNotes()
    {
        var client = NewClient();

        var error = await client.GetStringAsync("/Error");
        var resetDone = await client.GetStringAsync("/Account/ResetPasswordConfirmation");

        Assert.DoesNotContain("Development", error);
        Assert.DoesNotContain("ASPNETCORE_ENVIRONMENT", error);
        Assert.Contains("Something went wrong", error);
        Assert.DoesNotContain("click here", resetDone);
        Assert.Contains("Sign in with your new password", resetDone);
    }

    private HttpClient NewClient() => _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [GeneratedRegex("<img src=\"data:image/svg\\+xml;base64,([A-Za-z0-9+/=]+)\"[^>]*authenticator-qr")]
    private static partial Regex QrImage();
}
