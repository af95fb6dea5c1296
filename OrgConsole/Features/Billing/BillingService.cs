using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Plans;

namespace OrgConsole.Features.Billing;

public sealed record PaymentMethodSummary(string Brand, string Last4, int ExpiryMonth, int ExpiryYear)
{
    public string Expiry => $"{ExpiryMonth:00}/{ExpiryYear}";
}

public sealed record BillingDetails(
    string? ContactName, string? ContactEmail, string? AddressLine1, string? AddressLine2, string? City,
    string? PostalCode, string? Country, string? TaxId, string? ExtraInvoiceRecipients);

public sealed record SpendAlertSettings(decimal? Threshold, string? Recipients);

public sealed record BillingOverview(Plan Plan, BillingDetails Details, PaymentMethodSummary? PaymentMethod, SupportPlan SupportPlan, SpendAlertSettings SpendAlert);

/// <summary>Why a plan change cannot happen yet: each item names what to change first.</summary>
public sealed record PlanChangeCheck(Plan From, Plan To, IReadOnlyList<string> Blockers)
{
    public bool Allowed => Blockers.Count == 0;
}

/// <summary>
/// The organization's plan, billing contact, payment method, support plan and spend alert (SPEC §5).
/// Viewing needs "View billing details", changing needs "Update billing details" (Owner, Billing admin).
/// </summary>
public sealed class BillingService(IDbContextFactory<ApplicationDbContext> dbFactory, Authorizer authorizer, AuditLog audit, TimeProvider time, IPaymentGateway gateway)
{
    public const int MaxExtraRecipients = 10;

    public async Task<Result<BillingOverview>> GetAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var account = await db.BillingAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.OrganizationId == organizationId, ct) ?? new BillingAccount();
        return new BillingOverview(access.Value.Plan, DetailsOf(account), PaymentMethodOf(account), account.SupportPlan,
            new SpendAlertSettings(account.SpendAlertThreshold, account.SpendAlertRecipients));
    }

    public async Task<Result> UpdateDetailsAsync(Guid organizationId, BillingDetails details, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        var valid = ValidateDetails(details);
        if (!valid.IsSuccess) return valid.Error;
        var clean = valid.Value;

        return await dbFactory.WriteAsync(async db =>
        {
            var account = await AccountForUpdateAsync(db, organizationId, ct);
            var before = DetailsOf(account);
            account.ContactName = clean.ContactName;
            account.ContactEmail = clean.ContactEmail;
            account.AddressLine1 = clean.AddressLine1;
            account.AddressLine2 = clean.AddressLine2;
            account.City = clean.City;
            account.PostalCode = clean.PostalCode;
            account.Country = clean.Country;
            account.TaxId = clean.TaxId;
            account.ExtraInvoiceRecipients = clean.ExtraInvoiceRecipients;
            Touch(account);
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("billing.details_updated", "billing", organizationId.ToString(),
                Before: before, After: clean), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>
    /// Hands the card straight to the gateway and keeps only its token, brand, last 4 digits and expiry.
    /// The number and CVC go nowhere else: not to the database, the audit log, or a log line.
    /// </summary>
    public async Task<Result<PaymentMethodSummary>> SetPaymentMethodAsync(Guid organizationId, CardInput card, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        var tokenized = await gateway.TokenizeAsync(card, ct);
        if (!tokenized.IsSuccess) return tokenized.Error;
        var t = tokenized.Value;

        return await dbFactory.WriteAsync<PaymentMethodSummary>(async db =>
        {
            var account = await AccountForUpdateAsync(db, organizationId, ct);
            var before = PaymentMethodOf(account);
            account.CardToken = t.Token;
            account.CardBrand = t.Brand;
            account.CardLast4 = t.Last4;
            account.CardExpiryMonth = t.ExpiryMonth;
            account.CardExpiryYear = t.ExpiryYear;
            Touch(account);
            var after = PaymentMethodOf(account)!;
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("billing.payment_method_set", "billing", organizationId.ToString(),
                Before: before, After: after), ct);
            return after;
        }, ct);
    }

    public async Task<Result> RemovePaymentMethodAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        return await dbFactory.WriteAsync(async db =>
        {
            var account = await AccountForUpdateAsync(db, organizationId, ct);
            var before = PaymentMethodOf(account);
            if (before is null) return Result.Ok();
            var org = await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == organizationId, ct);
            if (PlanLimits.For(org.Plan).Prices.MonthlyFee > 0 || SupportPlanInfo.For(account.SupportPlan).MonthlyFee > 0)
            {
                return Error.Conflict($"The {org.Plan} plan is paid: add another card instead, or move to the Starter plan and the Free support plan first.");
            }
            account.CardToken = account.CardBrand = account.CardLast4 = null;
            account.CardExpiryMonth = account.CardExpiryYear = null;
            Touch(account);
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("billing.payment_method_removed", "billing", organizationId.ToString(),
                Before: before), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>What stands in the way of moving to <paramref name="target"/>, without changing anything.</summary>
    public async Task<Result<PlanChangeCheck>> CheckPlanChangeAsync(Guid organizationId, Plan target, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await CheckAsync(db, organizationId, access.Value.Plan, target, ct);
    }

    /// <summary>Upgrades or downgrades. A downgrade the organization does not fit is refused with the list of what to change first.</summary>
    public async Task<Result> ChangePlanAsync(Guid organizationId, Plan target, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        if (!Enum.IsDefined(target)) return Error.Validation("Plan", "Choose Starter, Standard or Enterprise.");

        return await dbFactory.WriteAsync(async db =>
        {
            var org = await db.Organizations.FirstAsync(o => o.Id == organizationId, ct);
            if (org.Plan == target) return Result.Ok();
            var check = await CheckAsync(db, organizationId, org.Plan, target, ct);
            if (!check.Allowed)
            {
                return Error.Conflict($"The organization does not fit the {target} plan yet. First: " + string.Join(" ", check.Blockers));
            }
            var before = org.Plan;
            org.Plan = target;
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("billing.plan_changed", "organization", organizationId.ToString(),
                Before: new { Plan = before.ToString() }, After: new { Plan = target.ToString() }), ct);
            return Result.Ok();
        }, ct);
    }

    public async Task<Result<SupportPlan>> GetSupportPlanAsync(Guid organizationId, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.ViewSupportPlans, ct);
        if (!access.IsSuccess) return access.Error;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.BillingAccounts.Where(a => a.OrganizationId == organizationId).Select(a => (SupportPlan?)a.SupportPlan).FirstOrDefaultAsync(ct) ?? SupportPlan.Free;
    }

    public async Task<Result> ChangeSupportPlanAsync(Guid organizationId, SupportPlan target, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        if (!Enum.IsDefined(target)) return Error.Validation("SupportPlan", "Choose Free, Developer, Pro or Enterprise.");
        return await dbFactory.WriteAsync(async db =>
        {
            var account = await AccountForUpdateAsync(db, organizationId, ct);
            if (account.SupportPlan == target) return Result.Ok();
            if (SupportPlanInfo.For(target).MonthlyFee > 0 && account.CardToken is null)
            {
                return Error.Validation("SupportPlan", $"The {target} support plan is paid: add a payment method first.");
            }
            var before = account.SupportPlan;
            account.SupportPlan = target;
            Touch(account);
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("billing.support_plan_changed", "billing", organizationId.ToString(),
                Before: new { SupportPlan = before.ToString() }, After: new { SupportPlan = target.ToString() }), ct);
            return Result.Ok();
        }, ct);
    }

    /// <summary>Sets (or, with a null threshold, turns off) the monthly spend alert.</summary>
    public async Task<Result> UpdateSpendAlertAsync(Guid organizationId, decimal? threshold, string? recipients, CancellationToken ct = default)
    {
        var access = await authorizer.DemandAsync(organizationId, Permission.UpdateBillingDetails, ct);
        if (!access.IsSuccess) return access.Error;
        string? cleanRecipients = null;
        if (threshold is { } amount)
        {
            // Both fields' problems at once, each on its field.
            var errors = new Dictionary<string, string>();
            if (amount <= 0) errors["Threshold"] = "Enter an amount above $0.00, or turn the alert off.";
            else if (amount > 100_000_000m) errors["Threshold"] = "Enter an amount up to $100,000,000.00.";
            else if (decimal.Round(amount, 2) != amount) errors["Threshold"] = "Enter the amount in dollars and cents.";
            var parsed = ParseRecipients(recipients, "Recipients", required: true);
            if (!parsed.IsSuccess) errors["Recipients"] = parsed.Error.Message;
            if (errors.Count > 0)
            {
                return new Error(ErrorKind.Validation, errors.Count == 1 ? errors.Values.First() : "Check the highlighted fields.", errors);
            }
            cleanRecipients = parsed.Value;
        }
        return await dbFactory.WriteAsync(async db =>
        {
            var account = await AccountForUpdateAsync(db, organizationId, ct);
            var before = new SpendAlertSettings(account.SpendAlertThreshold, account.SpendAlertRecipients);
            account.SpendAlertThreshold = threshold;
            account.SpendAlertRecipients = cleanRecipients;
            Touch(account);
            await audit.AppendAsync(db, access.Value.Actor, organizationId, new AuditEntry("billing.spend_alert_updated", "billing", organizationId.ToString(),
                Before: before, After: new SpendAlertSettings(threshold, cleanRecipients)), ct);
            return Result.Ok();
        }, ct);
    }

    private async Task<PlanChangeCheck> CheckAsync(ApplicationDbContext db, Guid organizationId, Plan from, Plan to, CancellationToken ct)
    {
        var limits = PlanLimits.For(to);
        var blockers = new List<string>();
        var projects = await db.Projects.CountAsync(p => p.OrganizationId == organizationId, ct);
        if (projects > limits.MaxProjects)
        {
            blockers.Add($"Delete {projects - limits.MaxProjects} project{(projects - limits.MaxProjects == 1 ? "" : "s")}: the {to} plan allows {limits.MaxProjects} and the organization has {projects}.");
        }
        if (limits.MaxMembers is { } maxMembers)
        {
            var members = await db.RoleAssignments.Where(r => r.OrganizationId == organizationId && r.ProjectId == null && r.PrincipalType == PrincipalType.User)
                .Select(r => r.PrincipalId).Distinct().CountAsync(ct);
            if (members > maxMembers)
            {
                blockers.Add($"Remove {members - maxMembers} member{(members - maxMembers == 1 ? "" : "s")}: the {to} plan allows {maxMembers} and the organization has {members}.");
            }
        }
        var allowedKeyRoles = limits.ApiKeyRoles.ToList();
        var keyIdsWithOtherRoles = (await db.RoleAssignments
                .Where(r => r.OrganizationId == organizationId && r.PrincipalType == PrincipalType.ApiKey && !allowedKeyRoles.Contains(r.Role))
                .Select(r => r.PrincipalId).Distinct().ToListAsync(ct))
            .Select(id => Guid.TryParse(id, out var g) ? g : Guid.Empty).ToList();
        var keysWithOtherRoles = keyIdsWithOtherRoles.Count == 0 ? [] : await db.ApiKeys
            .Where(k => k.OrganizationId == organizationId && keyIdsWithOtherRoles.Contains(k.Id)).Select(k => k.Name).ToListAsync(ct);
        if (keysWithOtherRoles.Count > 0)
        {
            blockers.Add($"Give these API keys only the roles the {to} plan offers ({RoleLabels.WithWireNames(allowedKeyRoles)}), or delete them: {string.Join(", ", keysWithOtherRoles.Order())}.");
        }
        if (!limits.AllowsServiceAccounts)
        {
            var serviceAccounts = await db.ServiceAccounts.CountAsync(a => a.OrganizationId == organizationId, ct);
            if (serviceAccounts > 0)
            {
                blockers.Add($"Delete the organization's {serviceAccounts} service account{(serviceAccounts == 1 ? "" : "s")}: the {to} plan has none.");
            }
        }
        if (!limits.AllowsSso && await db.Set<Sso.SsoConnection>().AnyAsync(c => c.OrganizationId == organizationId, ct))
        {
            blockers.Add($"Remove single sign-on (Settings → Single sign-on): the {to} plan does not include it.");
        }
        if (limits.Prices.MonthlyFee > 0)
        {
            var hasCard = await db.BillingAccounts.AnyAsync(a => a.OrganizationId == organizationId && a.CardToken != null, ct);
            if (!hasCard) blockers.Add($"Add a payment method: the {to} plan costs {Money.Format(limits.Prices.MonthlyFee)} a month.");
        }
        return new PlanChangeCheck(from, to, blockers);
    }

    private async Task<BillingAccount> AccountForUpdateAsync(ApplicationDbContext db, Guid organizationId, CancellationToken ct)
    {
        var account = await db.BillingAccounts.FirstOrDefaultAsync(a => a.OrganizationId == organizationId, ct);
        if (account is not null) return account;
        account = new BillingAccount { OrganizationId = organizationId, UpdatedAt = time.UtcNow() };
        db.BillingAccounts.Add(account);
        return account;
    }

    private void Touch(BillingAccount account)
    {
        account.UpdatedAt = time.UtcNow();
    }

    private static BillingDetails DetailsOf(BillingAccount a) =>
        new(a.ContactName, a.ContactEmail, a.AddressLine1, a.AddressLine2, a.City, a.PostalCode, a.Country, a.TaxId, a.ExtraInvoiceRecipients);

    private static PaymentMethodSummary? PaymentMethodOf(BillingAccount a) =>
        a.CardToken is null ? null : new PaymentMethodSummary(a.CardBrand!, a.CardLast4!, a.CardExpiryMonth!.Value, a.CardExpiryYear!.Value);

    /// <summary>Trims and checks every field; all problems are reported at once, each on its field.</summary>
    public static Result<BillingDetails> ValidateDetails(BillingDetails d)
    {
        var errors = new Dictionary<string, string>();
        string? Field(string name, string? value, int max, bool required, string label)
        {
            var v = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
            if (v is null && required) errors[name] = $"Enter the {label}.";
            else if (v is not null && v.Length > max) errors[name] = $"The {label} can be at most {max} characters.";
            return v;
        }
        var name = Field(nameof(d.ContactName), d.ContactName, 200, true, "contact name");
        var email = Field(nameof(d.ContactEmail), d.ContactEmail, InvitationRules.MaxEmailLength, true, "contact email");
        if (email is not null && !errors.ContainsKey(nameof(d.ContactEmail)) && !InvitationRules.IsValidEmail(email))
        {
            errors[nameof(d.ContactEmail)] = "Enter an email address like name@example.com.";
        }
        var line1 = Field(nameof(d.AddressLine1), d.AddressLine1, 200, true, "street address");
        var line2 = Field(nameof(d.AddressLine2), d.AddressLine2, 200, false, "second address line");
        var city = Field(nameof(d.City), d.City, 100, true, "city");
        var postal = Field(nameof(d.PostalCode), d.PostalCode, 20, false, "postal code");
        var country = Field(nameof(d.Country), d.Country, 100, true, "country");
        var taxId = Field(nameof(d.TaxId), d.TaxId, 50, false, "tax id");
        if (taxId is not null && !errors.ContainsKey(nameof(d.TaxId)) && !taxId.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '.' or '/'))
        {
            errors[nameof(d.TaxId)] = "A tax id has letters, digits, spaces, dots, dashes and slashes only.";
        }
        var recipients = ParseRecipients(d.ExtraInvoiceRecipients, nameof(d.ExtraInvoiceRecipients), required: false);
        if (!recipients.IsSuccess) errors[nameof(d.ExtraInvoiceRecipients)] = recipients.Error.Message;

        if (errors.Count > 0)
        {
            return new Error(ErrorKind.Validation, errors.Count == 1 ? errors.Values.First() : "Check the highlighted fields.", errors);
        }
        return new BillingDetails(name, email, line1, line2, city, postal, country, taxId, recipients.Value);
    }

    /// <summary>A list of addresses (commas, semicolons, spaces or new lines) as one comma-separated string.</summary>
    public static Result<string?> ParseRecipients(string? text, string field, bool required)
    {
        var addresses = InvitationRules.ParseAddresses(text);
        if (addresses.Count == 0) return required ? Error.Validation(field, "Enter at least one email address.") : Result<string?>.Ok(null);
        if (addresses.Count > MaxExtraRecipients) return Error.Validation(field, $"Enter at most {MaxExtraRecipients} addresses.");
        var invalid = addresses.Where(a => !InvitationRules.IsValidEmail(a)).ToList();
        if (invalid.Count == 1) return Error.Validation(field, $"\"{invalid[0]}\" is not an email address.");
        if (invalid.Count > 1) return Error.Validation(field, $"{string.Join(", ", invalid.Select(a => $"\"{a}\""))} are not email addresses.");
        return string.Join(", ", addresses);
    }

    public static IReadOnlyList<string> SplitRecipients(string? list) => InvitationRules.ParseAddresses(list);
}
