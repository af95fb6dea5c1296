using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OrgConsole.Features.ApiKeys;

/// <summary>The API key row (its project foreign key is declared by ProjectConfiguration).</summary>
public sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> key)
    {
        key.Property(k => k.Name).HasMaxLength(80);
        key.Property(k => k.Label).HasMaxLength(32);
        key.Property(k => k.SecretHash).HasMaxLength(64);
        key.HasIndex(k => k.Label).IsUnique();
        key.HasIndex(k => k.ProjectId);
        key.Property(k => k.Version).IsConcurrencyToken();
    }
}
