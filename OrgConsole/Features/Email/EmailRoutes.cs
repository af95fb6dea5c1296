namespace OrgConsole.Features.Email;

/// <summary>Where the development outbox lives (development only).</summary>
public static class EmailRoutes
{
    public const string OutboxPage = "/dev/outbox";
}
