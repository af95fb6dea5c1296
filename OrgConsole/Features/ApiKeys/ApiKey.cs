namespace OrgConsole.Features.ApiKeys;

/// <summary>
/// An API key of one project. The key itself (<c>pckey_&lt;label&gt;_&lt;secret&gt;</c>) is shown once; only the label
/// (to find the row) and the SHA-256 of the whole key are stored. Its roles are role assignments held by the key.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid ProjectId { get; set; }

    public required string Name { get; set; }

    /// <summary>Public, random part of the key that identifies the row; not a secret.</summary>
    public required string Label { get; set; }

    /// <summary>SHA-256 of the whole key, lower-case hex. The key has 256 bits of entropy, so a fast hash is enough.</summary>
    public required string SecretHash { get; set; }

    public DateTime CreatedAt { get; set; }

    public string? CreatedByUserId { get; set; }

    public DateTime? LastUsedAt { get; set; }

    public Guid Version { get; set; } = Guid.NewGuid();
}
