using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Features.Organizations;
using OrgConsole.Features.Organizations.Pages;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Organizations;

/// <summary>Where someone lands after deleting their only organization: the restore window and how to ask support.</summary>
public sealed class CreateOrganizationPageTests : MudComponentTest
{
    private IRenderedComponent<CreateOrganization> RenderAs(TestDb db, string userId)
    {
        var scope = db.As(userId);
        Context.Services.AddScoped(_ => scope.ServiceProvider.GetRequiredService<OrganizationService>());
        RenderProviders();
        var page = Context.Render<CreateOrganization>();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[aria-label=Loading]")));
        return page;
    }

    [Fact(Timeout = 30_000)]
    public async Task AfterDeletingTheirOnlyOrganization_TheOwnerSeesTheRestoreWindowAndSupportContact()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Gone Corp");
        var deletedOn = db.Time.GetUtcNow().UtcDateTime;
        Assert.True((await db.Service<OrganizationService>(owner).DeleteAsync(orgId, "Gone Corp")).IsSuccess);

        var page = RenderAs(db, owner);

        Assert.Equal("Your organization was deleted", page.Find("h1").TextContent.Trim());
        var notice = page.Find("[data-testid=org-deleted]").TextContent;
        Assert.Contains("Gone Corp", notice);
        Assert.Equal(deletedOn.AddDays(30).ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture),
            page.Find("[data-testid=restorable-until]").TextContent.Trim());
        Assert.StartsWith("mailto:support@orgconsole.example", page.Find("[data-testid=support-link]").GetAttribute("href"));
        Assert.DoesNotContain("already created", page.Markup);
        Assert.Empty(page.FindAll("[data-testid=create-org]"));
    }

    [Fact(Timeout = 30_000)]
    public async Task SomeoneElsesDeletedOrganization_IsNotShown()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Secret Corp");
        Assert.True((await db.Service<OrganizationService>(owner).DeleteAsync(orgId, "Secret Corp")).IsSuccess);
        var stranger = await db.CreateUserAsync("stranger@test.example");

        var page = RenderAs(db, stranger);

        Assert.DoesNotContain("Secret Corp", page.Markup);
        Assert.NotEmpty(page.FindAll("[data-testid=create-org]"));
    }

    [Fact(Timeout = 30_000)]
    public async Task AnEmailWhoseOrganizationIsLive_StillGetsTheOnePerEmailExplanation()
    {
        await using var db = await TestDb.CreateAsync();
        var (_, owner) = await db.CreateOrganizationAsync("Live Corp");

        var page = RenderAs(db, owner);

        Assert.NotEmpty(page.FindAll("[data-testid=cannot-create]"));
        Assert.Empty(page.FindAll("[data-testid=org-deleted]"));
    }
}
