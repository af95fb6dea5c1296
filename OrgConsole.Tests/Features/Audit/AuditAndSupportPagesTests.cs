using Microsoft.EntityFrameworkCore;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Components.Shared;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Audit.Pages;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Support;
using OrgConsole.Features.Support.Pages;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Audit;

/// <summary>The audit log page for an owner, and the support console for support staff, against real services.</summary>
public sealed class AuditAndSupportPagesTests : MudComponentTest
{
    [Fact(Timeout = 30_000)]
    public async Task AuditLogPage_ShowsTheEvents_AndThatTheChainVerifies()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Audited", "owner@audited.example");
        Assert.True((await db.Service<OrganizationService>(owner).RenameAsync(orgId, "Audited Inc")).IsSuccess);
        var org = await SignInAsync(db, orgId, owner, [typeof(AuditQueryService)]);

        var page = Context.Render<AuditLogPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));

        page.WaitForAssertion(() =>
        {
            Assert.Contains("organization.renamed", page.Markup);
            Assert.Contains("organization.created", page.Markup);
            Assert.Contains("The audit trail verifies", page.Find("[data-testid=audit-chain]").TextContent);
        }, TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 30_000)]
    public async Task AuditLogPage_SaysTheTrailDoesNotVerify_WhenTheNewestEventsWereDeletedAfterACheckpoint()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Audited", "owner@audited.example");
        Assert.True((await db.Service<OrganizationService>(owner).RenameAsync(orgId, "Audited Inc")).IsSuccess);
        await db.Service<AuditCheckpoints>(null).CheckpointAsync();
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Database.ExecuteSqlRawAsync(OrgConsole.Data.AuditTriggers.DropSqlite);
            await ctx.AuditEvents.Where(e => e.OrganizationId == orgId && e.Sequence == 2).ExecuteDeleteAsync();
        }
        var org = await SignInAsync(db, orgId, owner, [typeof(AuditQueryService)]);

        var page = Context.Render<AuditLogPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(org));

        page.WaitForAssertion(() =>
        {
            var chain = page.Find("[data-testid=audit-chain]").TextContent;
            Assert.Contains("The audit trail does not verify", chain);
            Assert.Contains("Event #2 was deleted", chain);
        }, TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 30_000)]
    public async Task SupportConsole_FindsAnOrganizationByAMembersEmail()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync("Customer Co", "owner@customer.example");
        await db.AddMemberAsync(orgId, Role.OrgMember, "pat@customer.example");
        var staff = await db.CreateSupportStaffAsync();
        var scope = db.As(staff);
        Context.Services.AddScoped(_ => scope.ServiceProvider.GetRequiredService<SupportService>());
        RenderProviders();

        var page = Context.Render<SupportConsole>();
        page.Find("[data-testid=support-search] input, input[data-testid=support-search]").Input("pat@customer");
        page.Find("[data-testid=support-search-go]").Click();

        page.WaitForAssertion(() =>
        {
            var results = page.Find("[data-testid=support-results]").TextContent;
            Assert.Contains("Customer Co", results);
            Assert.Contains("member pat@customer.example", results);
        }, TimeSpan.FromSeconds(10));
        Assert.Single(page.FindAll("[data-testid=support-open]"));
    }
}
