namespace OrgConsole.Features.Email;

/// <summary>An email kept in the development outbox because no SMTP server is configured.</summary>
public sealed class OutboxEmail
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string To { get; set; }

    public required string Subject { get; set; }

    public required string HtmlBody { get; set; }

    public DateTime CreatedAt { get; set; }
}
