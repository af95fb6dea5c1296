using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OrgConsole.Features.Audit;

public sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> audit)
    {
        audit.Property(a => a.ChainKey).HasMaxLength(64);
        audit.Property(a => a.Action).HasMaxLength(100);
        audit.Property(a => a.Hash).HasMaxLength(64);
        audit.Property(a => a.PreviousHash).HasMaxLength(64);
        audit.Property(a => a.KeyId).HasMaxLength(32);
        audit.Property(a => a.ActorLabel).HasMaxLength(AuditLabels.MaxLength);
        audit.Property(a => a.TargetLabel).HasMaxLength(AuditLabels.MaxLength);
        audit.HasIndex(a => new { a.ChainKey, a.Sequence }).IsUnique();
        audit.HasIndex(a => new { a.OrganizationId, a.OccurredAt });
    }
}
