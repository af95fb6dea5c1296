using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Access;
using OrgConsole.Components.Shared;
using OrgConsole.Features.Invitations;
using OrgConsole.Features.Members.Pages;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Invitations;

/// <summary>The invitations tab against the real service: who sent each, when, until when, and next/previous pages.</summary>
public sealed class InvitationsTabTests : MudComponentTest
{
    [Fact(Timeout = 60_000)]
    public async Task ThirtyInvitations_PageBy25_WithInviterSentAtAndExpiry()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Invites", "olga@tab.example");
        var invitations = db.Service<InvitationService>(owner);
        var sentAt = db.Time.GetUtcNow().UtcDateTime;
        Assert.True((await invitations.InviteAsync(orgId, new InviteRequest(Enumerable.Range(0, 29).Select(i => $"early{i:00}@tab.example").ToList(), Role.OrgMember))).IsSuccess);
        db.Time.Advance(TimeSpan.FromHours(2));
        Assert.True((await invitations.InviteAsync(orgId, new InviteRequest(["latest@tab.example"], Role.OrgBillingAdmin))).IsSuccess);
        var scope = db.As(owner);
        Context.Services.AddScoped(_ => scope.ServiceProvider.GetRequiredService<InvitationService>());
        RenderProviders();
        var access = (await scope.ServiceProvider.GetRequiredService<Authorizer>().GetAccessAsync(orgId))!;

        var tab = Context.Render<InvitationsTab>(p => p.Add(x => x.OrgId, orgId).AddCascadingValue(new OrgContext(access, () => Task.CompletedTask)));

        tab.WaitForAssertion(() => Assert.Equal(25, tab.FindAll("[data-testid=invitation-invited-by]").Count), TimeSpan.FromSeconds(10));
        Assert.Equal("1–25 of 30", tab.Find("[data-testid=invitations-range]").TextContent);
        Assert.All(tab.FindAll("[data-testid=invitation-invited-by]"), cell => Assert.Equal("olga@tab.example", cell.TextContent.Trim()));
        var latestSent = db.Time.GetUtcNow().UtcDateTime;
        Assert.Equal(latestSent.ToString("d MMM yyyy HH:mm"), tab.FindAll("[data-testid=invitation-sent-at]")[0].TextContent.Trim());
        Assert.Equal(latestSent.AddDays(7).ToString("d MMM yyyy HH:mm"), tab.FindAll("[data-testid=invitation-expires]")[0].TextContent.Trim());
        Assert.Contains("latest@tab.example", tab.Markup);
        Assert.True(tab.Find("[data-testid=invitations-previous]").HasAttribute("disabled"));

        await tab.Find("[data-testid=invitations-next]").ClickAsync(new());

        tab.WaitForAssertion(() => Assert.Equal("26–30 of 30", tab.Find("[data-testid=invitations-range]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal(5, tab.FindAll("[data-testid=invitation-invited-by]").Count);
        Assert.DoesNotContain("latest@tab.example", tab.Markup);
        Assert.Equal(sentAt.ToString("d MMM yyyy HH:mm"), tab.FindAll("[data-testid=invitation-sent-at]")[0].TextContent.Trim());
        Assert.True(tab.Find("[data-testid=invitations-next]").HasAttribute("disabled"));

        await tab.Find("[data-testid=invitations-previous]").ClickAsync(new());

        tab.WaitForAssertion(() => Assert.Equal("1–25 of 30", tab.Find("[data-testid=invitations-range]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Contains("latest@tab.example", tab.Markup);
    }
}
