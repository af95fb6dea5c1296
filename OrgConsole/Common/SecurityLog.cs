namespace OrgConsole.Common;

/// <summary>
/// Security-relevant events as structured log events (category <c>OrgConsole.Security</c>, stable event ids), beside
/// the audit log: what an operator's log pipeline alerts on (bursts of failed sign-ins, refused requests, break-glass).
/// </summary>
public static partial class SecurityLog
{
    public const string Category = "OrgConsole.Security";

    [LoggerMessage(EventId = 9001, EventName = "SignInFailed", Level = LogLevel.Warning,
        Message = "Sign-in failed for {Account} from {ClientAddress}: {Reason}")]
    public static partial void SignInFailed(ILogger logger, string account, string? clientAddress, string reason);

    [LoggerMessage(EventId = 9002, EventName = "RateLimited", Level = LogLevel.Warning,
        Message = "Rate limit {Limit} reached for one partition; further requests are refused for {RetryAfter}")]
    public static partial void RateLimited(ILogger logger, string limit, TimeSpan retryAfter);

    [LoggerMessage(EventId = 9003, EventName = "BreakGlassSignIn", Level = LogLevel.Warning,
        Message = "Break-glass sign-in by owner {Account} of organization {OrganizationId} from {ClientAddress} (single sign-on is enforced)")]
    public static partial void BreakGlassSignIn(ILogger logger, string account, Guid organizationId, string? clientAddress);
}
