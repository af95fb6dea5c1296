using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Components.Layout;
using OrgConsole.Features.Accounts;
using OrgConsole.Features.Email;
using OrgConsole.Features.Organizations;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Components;

/// <summary>A member removed while their page is open is told so by name and offered their other organizations.</summary>
public sealed class AccessLostTests : MudComponentTest
{
    [Theory(Timeout = 30_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RemovedMember_SeesYouNoLongerHaveAccess_AndTheirOtherOrganizations(bool newRootAfterNavigation)
    {
        await using var db = await TestDb.CreateAsync();
        var (acme, _) = await db.CreateOrganizationAsync("Acme Lost");
        var (other, _) = await db.CreateOrganizationAsync("Beta Works");
        var member = await db.AddMemberAsync(acme, Role.OrgMember);
        await db.GrantAsync(other, member, Role.OrgMember);
        var scope = db.As(member);
        foreach (var service in new[] { typeof(Authorizer), typeof(OrganizationService), typeof(OrgConsole.Features.Invitations.InvitationService) })
        {
            Context.Services.AddScoped(service, _ => scope.ServiceProvider.GetRequiredService(service));
        }
        Context.Services.AddScoped<ShellState>();
        Context.AddAuthorization().SetAuthorized("member");
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var navigation = Context.Services.GetRequiredService<BunitNavigationManager>();

        var layout = Context.Render<OrgShell>(p => p.Add(x => x.Uri, navigation.ToAbsoluteUri(OrgConsole.Features.Projects.ProjectsRoutes.Projects(acme)).ToString())
            .AddChildContent("<h1>Projects of Acme</h1>"));
        layout.WaitForAssertion(() => Assert.Contains("Projects of Acme", layout.Markup));

        // The owner removes the member; the member's next click lands on a page of the same organization.
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.RoleAssignments.Where(r => r.OrganizationId == acme && r.PrincipalId == member).ExecuteDeleteAsync();
        }
        var next = navigation.ToAbsoluteUri(OrgConsole.Features.Organizations.OrganizationRoutes.Overview(acme)).ToString();
        if (newRootAfterNavigation)
        {
            // Enhanced navigation may replace the page body's interactive root: the circuit still knows what it showed.
            layout = Context.Render<OrgShell>(p => p.Add(x => x.Uri, next).AddChildContent("<h1>Overview of Acme</h1>"));
        }
        else
        {
            layout.Render(p => p.Add(x => x.Uri, next));
        }

        layout.WaitForAssertion(() => Assert.Equal("You no longer have access to Acme Lost", layout.Find("[data-testid=access-lost] h1").TextContent.Trim()));
        Assert.DoesNotContain("of Acme", layout.Markup);
        var switchTo = layout.Find("[data-testid=switch-org-list] a");
        Assert.Equal("Beta Works", switchTo.TextContent.Trim());
        Assert.Equal(OrgConsole.Features.Organizations.OrganizationRoutes.Overview(other), switchTo.GetAttribute("href"));
    }

    [Fact(Timeout = 30_000)]
    public async Task AnOrganizationNeverSeen_StaysAPlainNotFound_WithoutItsName()
    {
        await using var db = await TestDb.CreateAsync();
        var (secret, _) = await db.CreateOrganizationAsync("Secret Corp");
        var stranger = await db.CreateUserAsync("stranger@test.example");
        var scope = db.As(stranger);
        foreach (var service in new[] { typeof(Authorizer), typeof(OrganizationService), typeof(OrgConsole.Features.Invitations.InvitationService) })
        {
            Context.Services.AddScoped(service, _ => scope.ServiceProvider.GetRequiredService(service));
        }
        Context.Services.AddScoped<ShellState>();
        Context.AddAuthorization().SetAuthorized("stranger");
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var navigation = Context.Services.GetRequiredService<BunitNavigationManager>();

        var layout = Context.Render<OrgShell>(p => p.Add(x => x.Uri, navigation.ToAbsoluteUri(OrgConsole.Features.Organizations.OrganizationRoutes.Overview(secret)).ToString()).AddChildContent("<p>body</p>"));

        layout.WaitForAssertion(() => Assert.Contains("Not found", layout.Markup));
        Assert.DoesNotContain("Secret Corp", layout.Markup);
        Assert.Empty(layout.FindAll("[data-testid=access-lost]"));
    }
}
