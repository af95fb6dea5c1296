using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OrgConsole.Features.Email;

public sealed class OutboxEmailConfiguration : IEntityTypeConfiguration<OutboxEmail>
{
    public void Configure(EntityTypeBuilder<OutboxEmail> mail)
    {
        mail.Property(m => m.To).HasMaxLength(256);
        mail.Property(m => m.Subject).HasMaxLength(500);
        mail.HasIndex(m => m.CreatedAt);
    }
}
