using QRCoder;

namespace OrgConsole.Features.Accounts;

/// <summary>
/// Renders an authenticator enrolment URI (<c>otpauth://…</c>) as a QR code on the server, so the secret never
/// leaves the page for an external image service. The result is an SVG document for an <c>img</c> data URI.
/// </summary>
public static class AuthenticatorQrCode
{
    public static string ToSvgDataUri(string otpauthUri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(otpauthUri, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(4);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(svg));
    }
}
