using OrgConsole.Access;

namespace OrgConsole.Features.Organizations;

public sealed class Organization
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public Plan Plan { get; set; } = Plan.Starter;

    public required string CreatedByUserId { get; set; }

    /// <summary>Normalized email of the creator; unique, because an email may create only one organization.</summary>
    public required string CreatedByEmail { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Set by a soft delete: members lose access at once.</summary>
    public DateTime? DeletedAt { get; set; }

    /// <summary>When the purge job may remove the organization for good.</summary>
    public DateTime? PurgeAfter { get; set; }

    /// <summary>How many people are members; kept by database triggers (see <see cref="Data.MemberSearchIndex"/>), never written by code.</summary>
    public int MemberCount { get; set; }

    /// <summary>Concurrency token: changed by every update of the row, including changes to the set of owners.</summary>
    public Guid Version { get; set; } = Guid.NewGuid();
}
