using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Access;
using OrgConsole.Data;

namespace OrgConsole.Features.Audit;

/// <summary>
/// The readable names stored with each audit event (SPEC §9): people as "Name (email)", things by their name, as they
/// are when the event is written — so the log still reads well after a member is removed or a project deleted.
/// </summary>
public static class AuditLabels
{
    public const int MaxLength = 512;

    public static string Person(string? displayName, string? email, string fallback)
    {
        var name = displayName?.Trim();
        if (string.IsNullOrEmpty(email)) return string.IsNullOrEmpty(name) ? fallback : name;
        return string.IsNullOrEmpty(name) || string.Equals(name, email, StringComparison.OrdinalIgnoreCase) ? email : $"{name} ({email})";
    }

    public static async Task<string?> ActorAsync(ApplicationDbContext db, Actor actor, CancellationToken ct)
    {
        if (actor.Type is ActorType.User or ActorType.Support && !string.IsNullOrEmpty(actor.Id))
        {
            return await PersonAsync(db, actor.Id, ct) ?? actor.Name;
        }
        return string.IsNullOrEmpty(actor.Name) ? null : actor.Name;
    }

    public static async Task<string?> TargetAsync(ApplicationDbContext db, AuditEntry entry, string? before, string? after, CancellationToken ct)
    {
        if (entry.TargetLabel is { } given) return given;
        var id = entry.TargetId;
        var guid = Guid.TryParse(id, out var g) ? g : (Guid?)null;
        var label = (entry.TargetType, guid) switch
        {
            ("user", _) when id is not null => await PersonAsync(db, id, ct),
            ("project", { } projectId) => Tracked<Projects.Project>(db, p => p.Id == projectId)?.Name
                ?? await db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).FirstOrDefaultAsync(ct),
            ("organization" or "billing", { } orgId) => Tracked<Organizations.Organization>(db, o => o.Id == orgId)?.Name
                ?? await db.Organizations.Where(o => o.Id == orgId).Select(o => o.Name).FirstOrDefaultAsync(ct),
            ("api_key", { } keyId) => Tracked<ApiKeys.ApiKey>(db, k => k.Id == keyId)?.Name
                ?? await db.ApiKeys.Where(k => k.Id == keyId).Select(k => k.Name).FirstOrDefaultAsync(ct),
            ("invitation", { } invitationId) => Tracked<Invitations.Invitation>(db, i => i.Id == invitationId)?.Email
                ?? await db.Invitations.Where(i => i.Id == invitationId).Select(i => i.Email).FirstOrDefaultAsync(ct),
            ("service_account", { } accountId) => Tracked<ServiceAccounts.ServiceAccount>(db, a => a.Id == accountId)?.Name
                ?? await db.ServiceAccounts.Where(a => a.Id == accountId).Select(a => a.Name).FirstOrDefaultAsync(ct),
            ("invoice", { } invoiceId) => Tracked<Billing.Invoice>(db, i => i.Id == invoiceId)?.Number
                ?? await db.Invoices.Where(i => i.Id == invoiceId).Select(i => i.Number).FirstOrDefaultAsync(ct),
            _ => null,
        };
        // Removed in this same change before the event was written: its name is in what the event records.
        return Truncate(label ?? NameIn(after) ?? NameIn(before));
    }

    private static async Task<string?> PersonAsync(ApplicationDbContext db, string userId, CancellationToken ct)
    {
        var tracked = Tracked<ApplicationUser>(db, u => u.Id == userId);
        var person = tracked is not null ? new { tracked.DisplayName, tracked.Email }
            : await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.DisplayName, u.Email }).FirstOrDefaultAsync(ct);
        return person is null ? null : Truncate(Person(person.DisplayName, person.Email, userId));
    }

    private static T? Tracked<T>(ApplicationDbContext db, Func<T, bool> match) where T : class =>
        db.ChangeTracker.Entries<T>().Select(e => e.Entity).FirstOrDefault(match);

    private static string? NameIn(string? json)
    {
        if (json is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            foreach (var property in new[] { "name", "email", "number" })
            {
                if (doc.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String) return value.GetString();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    private static string? Truncate(string? value) => value is null || value.Length <= MaxLength ? value : value[..MaxLength];
}
