using System.Security.Claims;

namespace OrgConsole.Access;

/// <summary>Who is acting: the principal every service call is made for and every audit event names.</summary>
public sealed record Actor(ActorType Type, string Id, string Name)
{
    public static readonly Actor Anonymous = new(ActorType.Anonymous, "", "anonymous");
    public static readonly Actor System = new(ActorType.System, "system", "OrgConsole");

    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }

    public bool IsUser => Type == ActorType.User;

    /// <summary>For support staff inside one organization: which, and the reason they gave (SPEC §8).</summary>
    public SupportSession? Support { get; init; }

    public static Actor FromPrincipal(ClaimsPrincipal? principal, string? ip = null, string? userAgent = null)
    {
        var id = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        if (principal?.Identity?.IsAuthenticated != true || string.IsNullOrEmpty(id))
        {
            return Anonymous with { IpAddress = ip, UserAgent = userAgent };
        }
        return new Actor(ActorType.User, id, principal.FindFirstValue(ClaimTypes.Email) ?? principal.Identity.Name ?? id)
        {
            IpAddress = ip,
            UserAgent = userAgent,
        };
    }
}

/// <summary>A support person's read-only visit to one organization, opened with a reason (a ticket reference), until it expires.</summary>
public sealed record SupportSession(Guid OrganizationId, string Reason, DateTime ExpiresAt);

/// <summary>
/// Holds the actor of the current scope: an HTTP request (set by middleware), a Blazor circuit (set by
/// <see cref="ActorCircuitHandler"/>), a background job or a test (set directly).
/// </summary>
public sealed class ActorAccessor
{
    public Actor Current { get; set; } = Actor.Anonymous;
}
