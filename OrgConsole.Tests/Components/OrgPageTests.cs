using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrgConsole.Access;
using OrgConsole.Components.Shared;
using OrgConsole.Features.ApiKeys;
using OrgConsole.Features.Projects;
using OrgConsole.Features.Projects.Pages;
using OrgConsole.Features.ServiceAccounts;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Organizations.Pages;
using OrgConsole.Features.Sso;
using OrgConsole.Features.Sso.Pages;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Components;

/// <summary>
/// Org pages load once per organization: the layout re-cascades a fresh <see cref="OrgContext"/> on every navigation
/// and every re-render, and that must not reset what the person is typing.
/// </summary>
public sealed class OrgPageTests : MudComponentTest
{
    [Fact(Timeout = 30_000)]
    public async Task OrganizationSettings_KeepsAHalfTypedName_WhenTheLayoutRecascades()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Typing");
        var scope = db.As(owner);
        Context.Services.AddScoped(_ => scope.ServiceProvider.GetRequiredService<OrganizationService>());
        Context.Services.AddSingleton(db.Services.GetRequiredService<IOptions<OrganizationOptions>>());
        RenderProviders();
        var access = (await scope.ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId))!;
        var host = Context.Render<LayoutLike<OrganizationSettings>>(p => p.Add(x => x.OrgId, orgId).Add(x => x.Org, new OrgContext(access, () => Task.CompletedTask)));
        host.WaitForElement("[data-testid=rename-save]");

        RenameInput(host).Change("Acme Typ");
        await host.InvokeAsync(() => host.Instance.Recascade(new OrgContext(access, () => Task.CompletedTask)));
        await host.InvokeAsync(() => host.Instance.Recascade(new OrgContext(access, () => Task.CompletedTask)));

        host.WaitForAssertion(() => Assert.Equal("Acme Typ", RenameInput(host).GetAttribute("value")));
    }

    [Fact(Timeout = 30_000)]
    public async Task SsoSettings_KeepsAHalfTypedIssuer_WhenTheLayoutRecascades()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Sso Typing");
        await db.SetPlanAsync(orgId, Plan.Enterprise);
        var scope = db.As(owner);
        Context.Services.AddScoped(_ => scope.ServiceProvider.GetRequiredService<SsoService>());
        RenderProviders();
        var access = (await scope.ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId))!;
        var host = Context.Render<LayoutLike<SsoSettingsPage>>(p => p.Add(x => x.OrgId, orgId).Add(x => x.Org, new OrgContext(access, () => Task.CompletedTask)));
        host.WaitForElement("[data-testid=sso-issuer] input, input[data-testid=sso-issuer]");

        Issuer(host).Change("https://login.acme.exa");
        await host.InvokeAsync(() => host.Instance.Recascade(new OrgContext(access, () => Task.CompletedTask)));

        host.WaitForAssertion(() => Assert.Equal("https://login.acme.exa", Issuer(host).GetAttribute("value")));
    }

    [Fact(Timeout = 30_000)]
    public async Task AProject_KeepsAHalfTypedName_WhenTheLayoutRecascades()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Project Typing");
        var projectId = await db.AddProjectAsync(orgId, "Search");
        var org = await SignInAsync(db, orgId, owner, [typeof(ProjectService), typeof(ProjectMemberService), typeof(ApiKeyService), typeof(ServiceAccountService)]);
        var access = (await db.As(owner).ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId))!;
        var host = Context.Render<LayoutLike<ProjectPage>>(p => p.Add(x => x.OrgId, orgId).Add(x => x.ProjectId, projectId).Add(x => x.Org, org));
        host.WaitForElement("[data-testid=project-rename-save]");
        var shown = host.FindComponent<ProjectSettingsTab>().Instance.Project;

        ProjectName(host).Change("Search v");
        await host.InvokeAsync(() => host.Instance.Recascade(new OrgContext(access, () => Task.CompletedTask)));
        await host.InvokeAsync(() => host.Instance.Recascade(new OrgContext(access, () => Task.CompletedTask)));

        host.WaitForAssertion(() => Assert.Equal("Search v", ProjectName(host).GetAttribute("value")));
        // The project was not read again: its tabs hold the very context they loaded for.
        Assert.Same(shown, host.FindComponent<ProjectSettingsTab>().Instance.Project);
    }

    [Fact(Timeout = 30_000)]
    public async Task APage_LoadsOncePerOrganization_AndAgainForAnother()
    {
        var first = Guid.NewGuid();
        var host = Context.Render<LayoutLike<CountingPage>>(p => p.Add(x => x.OrgId, first));
        var page = host.FindComponent<CountingPage>();
        Assert.Equal([first], page.Instance.Loads);

        await host.InvokeAsync(() => host.Instance.Recascade(null));
        await host.InvokeAsync(() => host.Instance.Recascade(null));
        Assert.Equal([first], page.Instance.Loads);

        var second = Guid.NewGuid();
        host.Render(p => p.Add(x => x.OrgId, second));
        Assert.Equal([first, second], page.Instance.Loads);
    }

    private static AngleSharp.Dom.IElement RenameInput<T>(IRenderedComponent<T> host) where T : IComponent =>
        host.Find("[data-testid=rename-input] input, input[data-testid=rename-input]");

    private static AngleSharp.Dom.IElement ProjectName<T>(IRenderedComponent<T> host) where T : IComponent =>
        host.Find("[data-testid=project-rename-input] input, input[data-testid=project-rename-input]");

    private static AngleSharp.Dom.IElement Issuer<T>(IRenderedComponent<T> host) where T : IComponent =>
        host.Find("[data-testid=sso-issuer] input, input[data-testid=sso-issuer]");

    /// <summary>What <c>MainLayout</c> does around a page: cascades an org context it replaces on each re-read of the role.</summary>
    public sealed class LayoutLike<TPage> : ComponentBase where TPage : IComponent
    {
        [Parameter] public Guid OrgId { get; set; }
        [Parameter] public OrgContext? Org { get; set; }

        /// <summary>For a page under a project (<c>/orgs/{OrgId}/projects/{ProjectId}</c>).</summary>
        [Parameter] public Guid? ProjectId { get; set; }

        public void Recascade(OrgContext? org)
        {
            Org = org;
            StateHasChanged();
        }

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenComponent<CascadingValue<OrgContext?>>(0);
            builder.AddComponentParameter(1, nameof(CascadingValue<OrgContext?>.Value), Org);
            builder.AddComponentParameter(2, nameof(CascadingValue<OrgContext?>.ChildContent), (RenderFragment)(page =>
            {
                page.OpenComponent<TPage>(0);
                page.AddComponentParameter(1, "OrgId", OrgId);
                if (ProjectId is { } projectId) page.AddComponentParameter(2, "ProjectId", projectId);
                page.CloseComponent();
            }));
            builder.CloseComponent();
        }
    }

    public sealed class CountingPage : OrgPage
    {
        public List<Guid> Loads { get; } = [];

        protected override Task LoadPageAsync()
        {
            Loads.Add(OrgId);
            return Task.CompletedTask;
        }
    }
}
