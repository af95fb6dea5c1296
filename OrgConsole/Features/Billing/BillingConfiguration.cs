using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OrgConsole.Features.Billing;

// The billing tables. Their organization foreign keys are declared by OrganizationConfiguration (Billing does not know organizations).

public sealed class BillingAccountConfiguration : IEntityTypeConfiguration<BillingAccount>
{
    public void Configure(EntityTypeBuilder<BillingAccount> account)
    {
        account.HasKey(a => a.OrganizationId);
        account.Property(a => a.ContactName).HasMaxLength(200);
        account.Property(a => a.ContactEmail).HasMaxLength(256);
        account.Property(a => a.AddressLine1).HasMaxLength(200);
        account.Property(a => a.AddressLine2).HasMaxLength(200);
        account.Property(a => a.City).HasMaxLength(100);
        account.Property(a => a.PostalCode).HasMaxLength(20);
        account.Property(a => a.Country).HasMaxLength(100);
        account.Property(a => a.TaxId).HasMaxLength(50);
        account.Property(a => a.ExtraInvoiceRecipients).HasMaxLength(3000);
        account.Property(a => a.CardToken).HasMaxLength(200);
        account.Property(a => a.CardBrand).HasMaxLength(40);
        account.Property(a => a.CardLast4).HasMaxLength(4);
        account.Property(a => a.SupportPlan).HasConversion<string>().HasMaxLength(16);
        account.Property(a => a.SpendAlertRecipients).HasMaxLength(3000);
        account.Property(a => a.Version).IsConcurrencyToken();
    }
}

public sealed class UsageRecordConfiguration : IEntityTypeConfiguration<UsageRecord>
{
    public void Configure(EntityTypeBuilder<UsageRecord> usage)
    {
        usage.Property(u => u.RecordId).HasMaxLength(UsageService.MaxRecordIdLength);
        usage.HasIndex(u => u.RecordId).IsUnique();
        usage.Property(u => u.Metric).HasConversion<string>().HasMaxLength(32);
        usage.HasIndex(u => new { u.OrganizationId, u.Day });
        // No foreign key to the project: a deleted project's usage still belongs on its invoice.
    }
}

public sealed class InvoiceConfiguration : IEntityTypeConfiguration<Invoice>
{
    public void Configure(EntityTypeBuilder<Invoice> invoice)
    {
        invoice.Property(i => i.Number).HasMaxLength(40);
        invoice.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
        invoice.Property(i => i.SupportPlan).HasConversion<string>().HasMaxLength(16);
        invoice.Property(i => i.Currency).HasMaxLength(3);
        invoice.Property(i => i.PaymentReference).HasMaxLength(100);
        invoice.HasIndex(i => new { i.OrganizationId, i.PeriodStart }).IsUnique(); // never two invoices for one period
        invoice.Property(i => i.Version).IsConcurrencyToken();
        invoice.OwnsMany(i => i.Lines, lines =>
        {
            lines.ToTable("InvoiceLines");
            lines.WithOwner().HasForeignKey("InvoiceId");
            lines.Property<int>("Id");
            lines.HasKey("Id");
            lines.Property(l => l.Description).HasMaxLength(300);
        });
    }
}

public sealed class SpendAlertSentConfiguration : IEntityTypeConfiguration<SpendAlertSent>
{
    public void Configure(EntityTypeBuilder<SpendAlertSent> sent)
    {
        sent.HasIndex(s => new { s.OrganizationId, s.PeriodStart }).IsUnique(); // one alert per period
    }
}
