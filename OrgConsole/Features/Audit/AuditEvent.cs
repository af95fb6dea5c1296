using OrgConsole.Access;

namespace OrgConsole.Features.Audit;

/// <summary>
/// One append-only audit record. The database refuses UPDATE and DELETE on this table (triggers), and each
/// event is sealed with an HMAC (key outside the database) over its fields and its predecessor's seal, so a changed or
/// removed row is detectable; the chain heads are checkpointed outside the database as well.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    /// <summary>The organization's id, or <see cref="AuditLog.PlatformChain"/> for events outside any organization.</summary>
    public required string ChainKey { get; set; }

    /// <summary>Position in the chain, from 1.</summary>
    public long Sequence { get; set; }

    public Guid? OrganizationId { get; set; }

    public Guid? ProjectId { get; set; }

    public DateTime OccurredAt { get; set; }

    public ActorType ActorType { get; set; }

    public string? ActorId { get; set; }

    public string? ActorName { get; set; }

    /// <summary>The actor as people read it, at the time: "Eli Engineer (eli@acme.example)" (SPEC §9).</summary>
    public string? ActorLabel { get; set; }

    public required string Action { get; set; }

    public string? TargetType { get; set; }

    public string? TargetId { get; set; }

    /// <summary>The target as people read it, at the time: a person's name and email, a project's name.</summary>
    public string? TargetLabel { get; set; }

    /// <summary>JSON of the state before the change, when there was one.</summary>
    public string? Before { get; set; }

    /// <summary>JSON of the state after the change, when there is one.</summary>
    public string? After { get; set; }

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }

    /// <summary>Why the actor did it (required for support staff).</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// The fingerprint of the key that sealed this event (<see cref="AuditChainKey.Id"/>); null for events written before
    /// the chain was keyed, which were hashed with plain SHA-256 and are anchored by the first keyed event after them.
    /// </summary>
    public string? KeyId { get; set; }

    public required string PreviousHash { get; set; }

    public required string Hash { get; set; }
}
