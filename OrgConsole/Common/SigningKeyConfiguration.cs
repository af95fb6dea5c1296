using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OrgConsole.Common;

public sealed class StoredSigningKeyConfiguration : IEntityTypeConfiguration<StoredSigningKey>
{
    public void Configure(EntityTypeBuilder<StoredSigningKey> key)
    {
        key.ToTable("TokenSigningKeys");
        key.Property(k => k.Id).HasMaxLength(64);
        key.Property(k => k.Key).HasMaxLength(512);
    }
}
