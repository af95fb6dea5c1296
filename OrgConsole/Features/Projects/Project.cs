namespace OrgConsole.Features.Projects;

public sealed class Project
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    /// <summary>Upper-cased name: unique within the organization, so names are unique case-insensitively.</summary>
    public required string NormalizedName { get; set; }

    public DateTime CreatedAt { get; set; }

    public string? CreatedByUserId { get; set; }

    public Guid Version { get; set; } = Guid.NewGuid();

    public static string Normalize(string name) => name.ToUpperInvariant();
}
