using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Components.Shared;
using OrgConsole.Features.Billing;
using OrgConsole.Features.Billing.Pages;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Members.Pages;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Projects;
using OrgConsole.Features.Sso;
using OrgConsole.Features.Sso.Pages;
using OrgConsole.Tests.Features.Billing;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Components;

/// <summary>
/// Forms report every problem in one round (issue 16): the invite dialog, the spend alert and the SSO settings, each
/// submitted with several bad fields, show every message at once and save nothing.
/// </summary>
public sealed class EveryProblemAtOnceTests : MudComponentTest
{
    private static IRenderedComponent<T> Fill<T>(IRenderedComponent<T> page, string testId, string value) where T : Microsoft.AspNetCore.Components.IComponent
    {
        page.Find($"input[data-testid={testId}], [data-testid={testId}] input, textarea[data-testid={testId}], [data-testid={testId}] textarea").Change(value);
        return page;
    }

    [Fact(Timeout = 60_000)]
    public async Task InviteDialog_ShowsMalformedAddressesMembersAndPendingInvitations_InOneRound()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Forms", "owner@forms.example");
        await db.AddMemberAsync(orgId, Role.OrgMember, "member@forms.example");
        Assert.True((await db.Service<InvitationService>(owner).InviteAsync(orgId, new InviteRequest(["pending@forms.example"], Role.OrgMember))).IsSuccess);
        var scope = db.As(owner);
        Context.Services.AddScoped(_ => scope.ServiceProvider.GetRequiredService<InvitationService>());
        Context.Services.AddScoped(_ => scope.ServiceProvider.GetRequiredService<ProjectService>());
        RenderProviders();
        var dialogs = Context.Services.GetRequiredService<IDialogService>();
        await DialogProvider.InvokeAsync(() => dialogs.ShowAsync<InviteMembersDialog>("Invite members",
            new DialogParameters<InviteMembersDialog> { { d => d.OrganizationId, orgId } }));
        DialogProvider.WaitForElement("[data-testid=invite-send]", TimeSpan.FromSeconds(10));

        Fill(DialogProvider, "invite-emails", "good@forms.example, not-an-email, also-bad@, member@forms.example, pending@forms.example");
        await DialogProvider.Find("[data-testid=invite-send]").ClickAsync(new());

        DialogProvider.WaitForAssertion(() =>
        {
            var list = DialogProvider.Find("[data-testid=invite-address-errors]").TextContent;
            Assert.Contains("\"not-an-email\" is not a valid email address", list);
            Assert.Contains("\"also-bad@\" is not a valid email address", list);
            Assert.Contains("member@forms.example is already a member", list);
            Assert.Contains("pending@forms.example already has a pending invitation", list);
            Assert.DoesNotContain("good@forms.example", list);
        }, TimeSpan.FromSeconds(10));
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Equal(["PENDING@FORMS.EXAMPLE"], await ctx.Invitations.Select(i => i.NormalizedEmail).ToListAsync());
        Assert.Single(db.Mail.Sent);
    }

    [Fact(Timeout = 30_000)]
    public async Task Invite_ABadRoleBadProjectsAndBadAddresses_AreAllReported()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync();
        var projectId = await db.AddProjectAsync(orgId);

        var result = await db.Service<InvitationService>(owner).InviteAsync(orgId,
            new InviteRequest(["nope", "fine@forms.example"], Role.OrgOwner, [new ProjectGrant(projectId, Role.ProjectMember)]));
        var wrongRole = await db.Service<InvitationService>(owner).InviteAsync(orgId, new InviteRequest(["nope"], Role.ProjectEditor));

        Assert.Equal(ErrorKind.Validation, result.Error?.Kind);
        Assert.Equal(["Projects", "nope"], result.Error?.Fields!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Role", "nope"], wrongRole.Error?.Fields!.Keys.Order(StringComparer.Ordinal));
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.Empty(await ctx.Invitations.ToListAsync());
        Assert.Empty(db.Mail.Sent);
    }

    [Fact(Timeout = 60_000)]
    public async Task SpendAlert_ShowsTheAmountAndEveryBadRecipient_AtOnce()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _, admin, _) = await db.StandardOrgAsync(withCard: false);
        var scope = db.As(admin);
        Context.Services.AddScoped(_ => scope.ServiceProvider.GetRequiredService<BillingService>());
        Context.Services.AddSingleton<TimeProvider>(db.Time);
        RenderProviders();
        var access = (await scope.ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId))!;
        var page = Context.Render<BillingPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(new OrgContext(access, () => Task.CompletedTask)));
        page.WaitForElement("[data-testid=alert-save]", TimeSpan.FromSeconds(10));

        Fill(page, "alert-threshold", "-5");
        Fill(page, "alert-recipients", "not-an-email, ok@forms.example, also-bad");
        await page.Find("[data-testid=alert-section] form").SubmitAsync();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("Enter an amount above $0.00", page.Find("[data-testid=alert-section]").TextContent);
            Assert.Contains("\"not-an-email\", \"also-bad\" are not email addresses.", page.Find("[data-testid=alert-section]").TextContent);
        }, TimeSpan.FromSeconds(10));
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        Assert.DoesNotContain(await ctx.BillingAccounts.Where(a => a.OrganizationId == orgId).Select(a => a.SpendAlertRecipients).ToListAsync(), r => r != null);
        Assert.DoesNotContain(await db.AuditEventsAsync(orgId), e => e.Action == "billing.spend_alert_updated");
    }

    [Fact(Timeout = 60_000)]
    public async Task SsoSettings_ShowIssuerClientIdSecretAndDomainProblems_AtOnce()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme SSO");
        await db.SetPlanAsync(orgId, Plan.Enterprise);
        var scope = db.As(owner);
        Context.Services.AddScoped(_ => scope.ServiceProvider.GetRequiredService<SsoService>());
        RenderProviders();
        var access = (await scope.ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId))!;
        var page = Context.Render<SsoSettingsPage>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(new OrgContext(access, () => Task.CompletedTask)));
        page.WaitForElement("[data-testid=sso-save]", TimeSpan.FromSeconds(10));

        Fill(page, "sso-issuer", "ftp://login.example.com/");
        Fill(page, "sso-client-id", "   ");
        Fill(page, "sso-client-secret", "short");
        Fill(page, "sso-domains", "acme.example, bad@domain.example, https://x.example");
        await page.Find("form").SubmitAsync();

        page.WaitForAssertion(() =>
        {
            var text = page.Markup;
            Assert.Contains("Enter a full URL such as https://login.example.com/.", text);
            Assert.Contains("Enter the client id the provider issued for OrgConsole.", text);
            Assert.Contains($"The client secret must be {SsoRules.ClientSecretMinLength} to {SsoRules.ClientSecretMaxLength} characters.", text);
            Assert.Contains("“bad@domain.example”, “https://x.example” are not domain names.", text);
        }, TimeSpan.FromSeconds(10));
        Assert.False((await db.Service<SsoService>(owner).GetAsync(orgId)).Value.Configured);
        Assert.DoesNotContain(await db.AuditEventsAsync(orgId), e => e.Action.StartsWith("sso.", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task SsoSave_ForANewConnection_ReportsTheMissingSecretWithTheOtherProblems()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme SSO");
        await db.SetPlanAsync(orgId, Plan.Enterprise);

        var result = await db.Service<SsoService>(owner).SaveAsync(orgId, new SsoSettingsInput("https://login.example.com/", "", null, "", Role.OrgOwner, false));

        Assert.Equal(["ClientId", "ClientSecret", "DefaultRole", "Domains"], result.Error?.Fields!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Check the highlighted fields.", result.Error?.Message);
    }
}
