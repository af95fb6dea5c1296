using System.Text.Encodings.Web;
using OrgConsole.Common.Http;
using OrgConsole.Features.Email;

namespace OrgConsole.Features.Accounts;

/// <summary>Account emails that are not Identity's own.</summary>
public sealed class AccountNotices(IEmailTransport transport, PublicUrl publicUrl)
{
    /// <summary>
    /// Someone tried to register an address that already has an account. The registration page answers exactly as for
    /// a new address (no enumeration, SPEC §10); the owner of the address hears about it here instead.
    /// </summary>
    public Task SendAlreadyRegisteredAsync(string email, CancellationToken ct = default) =>
        transport.SendAsync(email, "You already have an OrgConsole account", IdentityEmailSender.Layout("You already have an account",
            "<p>Someone — probably you — tried to create an OrgConsole account with this email address, which already has one.</p>" +
            $"<p><a href=\"{HtmlEncoder.Default.Encode(publicUrl.To("Account/Login"))}\">Sign in</a> or, if you forgot your password, " +
            $"<a href=\"{HtmlEncoder.Default.Encode(publicUrl.To("Account/ForgotPassword"))}\">reset it</a>.</p>" +
            "<p>If it wasn't you, ignore this email: nothing was changed.</p>"), ct);
}
