using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using OrgConsole.Features.Email;

namespace OrgConsole.Tests.TestSupport;

public sealed record SentEmail(string To, string Subject, string HtmlBody)
{
    /// <summary>The first link in the message, decoded.</summary>
    public string Link => WebUtility.HtmlDecode(Regex.Match(HtmlBody, "href=\"([^\"]+)\"").Groups[1].Value);

    /// <summary>The invitation token carried by the link.</summary>
    public string Token => Uri.UnescapeDataString(Regex.Match(Link, "token=([^&]+)").Groups[1].Value);
}

/// <summary>An email transport for service tests that keeps what was sent.</summary>
public sealed class CapturingEmailTransport : IEmailTransport
{
    private readonly ConcurrentQueue<SentEmail> _sent = new();

    public IReadOnlyList<SentEmail> Sent => [.. _sent];

    public Task SendAsync(string to, string subject, string htmlBody, CancellationToken ct = default)
    {
        _sent.Enqueue(new SentEmail(to, subject, htmlBody));
        return Task.CompletedTask;
    }
}
