using System.Text.Encodings.Web;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using OrgConsole.Common;
using OrgConsole.Data;

namespace OrgConsole.Features.Email;

public sealed class EmailOptions
{
    public string FromAddress { get; set; } = "no-reply@orgconsole.local";
    public string FromName { get; set; } = "OrgConsole";
    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>With no SMTP host, mail goes to the development outbox instead.</summary>
    public bool UsesOutbox => string.IsNullOrWhiteSpace(Smtp.Host);

    /// <summary>
    /// Whether anyone may read the outbox at /dev/outbox. It holds sign-up and password-reset links, so it is for a
    /// laptop only: on in appsettings.Development.json, off by default everywhere else.
    /// </summary>
    public bool ShowOutbox { get; set; }
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    /// <summary>None, StartTls, SslOnConnect or Auto.</summary>
    public string Security { get; set; } = "Auto";
    public string? Username { get; set; }
    public string? Password { get; set; }
}

/// <summary>Sends one email. The implementation is chosen by configuration: SMTP, or the development outbox.</summary>
public interface IEmailTransport
{
    Task SendAsync(string to, string subject, string htmlBody, CancellationToken ct = default);
}

public sealed class SmtpEmailTransport(IOptions<EmailOptions> options) : IEmailTransport
{
    public async Task SendAsync(string to, string subject, string htmlBody, CancellationToken ct = default)
    {
        var settings = options.Value;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(settings.FromName, settings.FromAddress));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new BodyBuilder { HtmlBody = htmlBody }.ToMessageBody();

        using var client = new SmtpClient();
        var security = Enum.TryParse<SecureSocketOptions>(settings.Smtp.Security, ignoreCase: true, out var parsed) ? parsed : SecureSocketOptions.Auto;
        await client.ConnectAsync(settings.Smtp.Host!, settings.Smtp.Port, security, ct);
        if (!string.IsNullOrEmpty(settings.Smtp.Username))
        {
            await client.AuthenticateAsync(settings.Smtp.Username, settings.Smtp.Password ?? "", ct);
        }
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
    }
}

public sealed class OutboxEmailTransport(IDbContextFactory<ApplicationDbContext> dbFactory, TimeProvider time, ILogger<OutboxEmailTransport> logger) : IEmailTransport
{
    public async Task SendAsync(string to, string subject, string htmlBody, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.OutboxEmails.Add(new OutboxEmail { To = to, Subject = subject, HtmlBody = htmlBody, CreatedAt = time.UtcNow() });
        await db.SaveChangesAsync(ct);
        logger.LogInformation("No SMTP server configured: email '{Subject}' to {To} is in the development outbox (/dev/outbox)", subject, to);
    }
}

/// <summary>The development outbox's contents, newest first.</summary>
public sealed class OutboxReader(IDbContextFactory<ApplicationDbContext> dbFactory, IOptions<EmailOptions> options)
{
    public bool IsEnabled => options.Value.UsesOutbox && options.Value.ShowOutbox;

    public async Task<IReadOnlyList<OutboxEmail>> ListAsync(int take = 100, CancellationToken ct = default)
    {
        if (!IsEnabled) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.OutboxEmails.AsNoTracking().OrderByDescending(m => m.CreatedAt).Take(take).ToListAsync(ct);
    }
}

/// <summary>The account emails ASP.NET Core Identity sends (links arrive HTML-encoded from the account pages).</summary>
public sealed class IdentityEmailSender(IEmailTransport transport) : IEmailSender<ApplicationUser>
{
    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        transport.SendAsync(email, "Confirm your email for OrgConsole", Layout("Confirm your email",
            $"<p>Welcome to OrgConsole. Confirm your email address to finish setting up your account.</p><p><a href=\"{confirmationLink}\">Confirm my email</a></p>"));

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        transport.SendAsync(email, "Reset your OrgConsole password", Layout("Reset your password",
            $"<p>Someone asked to reset the password of this account. If it was you, choose a new password here:</p><p><a href=\"{resetLink}\">Reset my password</a></p><p>If it wasn't you, ignore this email.</p>"));

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        transport.SendAsync(email, "Your OrgConsole password reset code", Layout("Reset your password",
            $"<p>Your password reset code is <strong>{HtmlEncoder.Default.Encode(resetCode)}</strong>.</p>"));

    internal static string Layout(string title, string body) =>
        $"<div style=\"font-family:system-ui,sans-serif;max-width:560px\"><h2>{HtmlEncoder.Default.Encode(title)}</h2>{body}<p style=\"color:#666\">— OrgConsole</p></div>";
}
