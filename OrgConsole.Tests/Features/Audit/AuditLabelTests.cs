using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Components.Shared;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Audit.Pages;
using OrgConsole.Features.Members;
using OrgConsole.Features.Projects;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Audit;

/// <summary>SPEC §9: events name people and things as they were, in the log, the CSV and the search — also after they are gone.</summary>
public sealed class AuditLabelTests : MudComponentTest
{
    private sealed record World(TestDb Db, Guid OrgId, string Owner, string Eli, Guid ProjectId);

    /// <summary>Olivia Owner removes Eli Engineer, whose account is then deleted too, and deletes the project "Search".</summary>
    private static async Task<World> WorldAsync()
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme", "olivia@acme.example");
        var eli = await db.AddMemberAsync(orgId, Role.OrgMember, "eli@acme.example");
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Users.Where(u => u.Id == owner).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, "Olivia Owner"));
            await ctx.Users.Where(u => u.Id == eli).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, "Eli Engineer"));
        }
        var projectId = (await db.Service<ProjectService>(owner).CreateAsync(orgId, "Search")).Value;
        Assert.True((await db.Service<MemberService>(owner).RemoveAsync(orgId, eli)).IsSuccess);
        Assert.True((await db.Service<ProjectService>(owner).DeleteAsync(orgId, projectId, "Search")).IsSuccess);
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            Assert.Equal(1, await ctx.Users.Where(u => u.Id == eli).ExecuteDeleteAsync());
        }
        return new World(db, orgId, owner, eli, projectId);
    }

    [Fact(Timeout = 30_000)]
    public async Task Events_NamePeopleAndThings_AndKeepTheNamesAfterTheyAreGone()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var audit = w.Db.Service<AuditQueryService>(w.Owner);

        var rows = (await audit.SearchAsync(w.OrgId, new AuditQuery())).Value.Items;

        var removed = Assert.Single(rows, r => r.Action == "member.removed");
        Assert.Equal("Olivia Owner (olivia@acme.example)", removed.Actor);
        Assert.Equal("Eli Engineer (eli@acme.example)", removed.TargetLabel);
        Assert.Equal("Search", Assert.Single(rows, r => r.Action == "project.deleted").TargetLabel);
        Assert.Equal("Search", Assert.Single(rows, r => r.Action == "project.created").TargetLabel);
        Assert.Equal("Acme", Assert.Single(rows, r => r.Action == "organization.created").TargetLabel);
        Assert.True((await w.Db.Service<AuditLog>(null).VerifyAsync(w.OrgId)).IsIntact);
    }

    [Fact(Timeout = 30_000)]
    public async Task TargetAndActorSearch_MatchNamesAndEmails_AndTheCsvCarriesTheLabels()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var audit = w.Db.Service<AuditQueryService>(w.Owner);

        foreach (var text in new[] { "eli@acme", "Eli Engineer", "ENGINEER" })
        {
            var found = (await audit.SearchAsync(w.OrgId, new AuditQuery(Target: text))).Value.Items;
            Assert.Equal("member.removed", Assert.Single(found).Action);
        }
        Assert.Equal(2, (await audit.SearchAsync(w.OrgId, new AuditQuery(Target: "search"))).Value.TotalCount);
        // Labels are as they were at the time: Olivia had no display name yet when she created the organization.
        Assert.Equal(4, (await audit.SearchAsync(w.OrgId, new AuditQuery(Actor: "olivia@acme"))).Value.TotalCount);
        Assert.Equal(3, (await audit.SearchAsync(w.OrgId, new AuditQuery(Actor: "Olivia Owner"))).Value.TotalCount);

        var csv = (await audit.ExportCsvAsync(w.OrgId, new AuditQuery())).Value;
        Assert.StartsWith("sequence,occurred_at,actor_type,actor,actor_id,action,target_type,target,target_id,", csv);
        Assert.Contains("Olivia Owner (olivia@acme.example)", csv);
        Assert.Contains("Eli Engineer (eli@acme.example)", csv);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheAuditPage_ShowsNamesInsteadOfIds()
    {
        var w = await WorldAsync();
        await using var _ = w.Db;
        var org = await SignInAsync(w.Db, w.OrgId, w.Owner, [typeof(AuditQueryService)]);

        var page = Context.Render<AuditLogPage>(p => p.Add(x => x.OrgId, w.OrgId).AddCascadingValue(org));

        page.WaitForAssertion(() =>
        {
            var targets = page.FindAll("[data-testid=audit-target-label]").Select(e => e.TextContent).ToList();
            Assert.Contains("Eli Engineer (eli@acme.example)", targets);
            Assert.Contains("Search", targets);
            Assert.Contains("Olivia Owner (olivia@acme.example)", page.FindAll("[data-testid=audit-actor-label]").Select(e => e.TextContent));
            Assert.DoesNotContain(w.Eli, page.Find("[data-testid=audit-grid]").TextContent);
        }, TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 30_000)]
    public async Task TheMigrationBackfill_LabelsOlderEvents_AndPutsTheTriggersBack()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme", "olivia@acme.example");
        var eli = await db.AddMemberAsync(orgId, Role.OrgMember, "eli@acme.example");
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Users.Where(u => u.Id == eli).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, "Eli Engineer"));
        }
        await db.Service<ProjectService>(owner).CreateAsync(orgId, "Search");
        Assert.True((await db.Service<MemberService>(owner).ChangeRoleAsync(orgId, eli, Role.OrgBillingAdmin)).IsSuccess);
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            // Events as an earlier version wrote them: no labels.
            await ctx.Database.ExecuteSqlRawAsync(AuditTriggers.DropSqlite);
            await ctx.AuditEvents.ExecuteUpdateAsync(s => s.SetProperty(e => e.ActorLabel, (string?)null).SetProperty(e => e.TargetLabel, (string?)null));
            await ctx.Database.ExecuteSqlRawAsync(AuditTriggers.CreateSqlite);

            await ctx.Database.ExecuteSqlRawAsync(AuditLabelBackfill.Sqlite);
        }

        var events = await db.AuditEventsAsync(orgId);
        Assert.Equal("Eli Engineer (eli@acme.example)", Assert.Single(events, e => e.Action == "member.role_changed").TargetLabel);
        Assert.Equal("Search", Assert.Single(events, e => e.Action == "project.created").TargetLabel);
        Assert.All(events, e => Assert.Equal("olivia@acme.example", e.ActorLabel));
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => ctx.AuditEvents.ExecuteUpdateAsync(s => s.SetProperty(e => e.TargetLabel, "x")));
        }
    }
}
