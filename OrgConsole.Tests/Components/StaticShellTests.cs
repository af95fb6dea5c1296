using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OrgConsole.Components.Layout;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Components;

/// <summary>
/// A circuit holds only what has state (issue 17): the theme, the app bar and the navigation drawer of a console page
/// are static server rendering (markup and links, refreshed by enhanced navigation), outside every interactive root;
/// the page body is the page's one interactive root (the head is static too), and the page body renders MudBlazor's providers only
/// once it needs them.
/// </summary>
public sealed partial class StaticShellTests : IAsyncLifetime
{
    private readonly AppFactory _app = AppFactory.InMemory();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A client signed in as the demo owner, and the id of their organization Acme Corp.</summary>
    private async Task<(HttpClient Client, Guid Acme)> SignInAsOwnerAsync()
    {
        var client = _app.NewClient();
        await AccountForms.PostLoginAsync(client, "owner@acme.example", AccountForms.DemoPassword);
        await using var db = await _app.DbAsync();
        return (client, (await db.Organizations.SingleAsync(o => o.Name == "Acme Corp")).Id);
    }

    [Fact(Timeout = 120_000)]
    public async Task SignedInPage_RendersTheNavigationOutsideEveryInteractiveRoot_AndThePageBodyInsideOne()
    {
        var client = _app.NewClient();
        var login = await AccountForms.PostLoginAsync(client, "owner@acme.example", AccountForms.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Guid acme;
        await using (var db = await _app.DbAsync())
        {
            acme = (await db.Organizations.SingleAsync(o => o.Name == "Acme Corp")).Id;
        }

        var html = await client.GetStringAsync(OrgConsole.Features.Members.MembersRoutes.Members(acme));

        var roots = InteractiveRoots(html);
        Assert.Single(roots); // the page body; the head is static, its title rendered with the page
        Assert.Contains("<title>Members · Acme Corp · OrgConsole</title>", html);
        Assert.True(html.IndexOf("<title>", StringComparison.Ordinal) < html.IndexOf("</head>", StringComparison.Ordinal));
        var nav = html.IndexOf("aria-label=\"Main navigation\"", StringComparison.Ordinal);
        Assert.True(nav > 0, "the page has its navigation");
        Assert.DoesNotContain(roots, r => r.Start < nav && nav < r.End);
        var projectsLink = html.IndexOf($"href=\"{OrgConsole.Features.Projects.ProjectsRoutes.Projects(acme)}\"", StringComparison.Ordinal);
        Assert.True(projectsLink > 0, "the navigation links to the projects");
        Assert.DoesNotContain(roots, r => r.Start < projectsLink && projectsLink < r.End);

        Assert.Contains(roots, r => Within(html, r, "data-testid=\"members-grid\""));
    }

    [Fact(Timeout = 120_000)]
    public async Task SignedInPage_RendersTheThemeAndTheAppBarOutsideEveryInteractiveRoot_AndNoProvidersUntilThePageNeedsOne()
    {
        var (client, acme) = await SignInAsOwnerAsync();

        var html = await client.GetStringAsync(OrgConsole.Features.Members.MembersRoutes.Members(acme));

        var roots = InteractiveRoots(html);
        foreach (var marker in new[]
        {
            "class='mud-theme-provider'", "<header class=\"mud-appbar", "data-testid=\"org-switcher\"", "data-testid=\"user-menu\"",
            "data-testid=\"theme-toggle\"", "data-testid=\"sign-out\"",
        })
        {
            var at = html.IndexOf(marker, StringComparison.Ordinal);
            Assert.True(at > 0, $"the page has {marker}");
            Assert.True(html.IndexOf(marker, at + 1, StringComparison.Ordinal) < 0, $"the page has one {marker}");
            Assert.DoesNotContain(roots, r => r.Start < at && at < r.End);
        }
        // The switcher names the organization of the address and lists the viewer's others, in the static markup.
        Assert.Contains("Acme Corp", Between(html, "data-testid=\"org-switcher\"", "</button>"));
        Assert.Contains($"href=\"{OrgConsole.Features.Organizations.OrganizationRoutes.Overview(acme)}\"", html);
        Assert.Contains("Globex", html);

        // No MudBlazor providers until the page body needs one (MudProviders renders them there on demand): the Members
        // page opens no popover, dialog or snackbar by itself.
        Assert.Single(roots, r => Within(html, r, "data-testid=\"members-grid\""));
        foreach (var provider in new[] { "class=\"mud-popover-provider\"", "id=\"mud-snackbar-container\"", "mud-dialog-container" })
        {
            Assert.Equal(0, Count(html, provider));
        }
    }

    /// <summary>The head is static: every console page's title is in its first response, with the organization's name.</summary>
    [Fact(Timeout = 120_000)]
    public async Task EveryConsolePage_HasItsTitleInTheFirstResponse()
    {
        var (client, acme) = await SignInAsOwnerAsync();
        var pages = new (string Path, string Title)[]
        {
            (OrgConsole.Features.Organizations.OrganizationRoutes.Overview(acme), "Acme Corp · OrgConsole"),
            (OrgConsole.Features.Organizations.OrganizationRoutes.Settings(acme), "Settings · Acme Corp · OrgConsole"),
            (OrgConsole.Features.Projects.ProjectsRoutes.Projects(acme), "Projects · Acme Corp · OrgConsole"),
            (OrgConsole.Features.Members.MembersRoutes.Members(acme), "Members · Acme Corp · OrgConsole"),
            (OrgConsole.Features.Billing.BillingRoutes.Billing(acme), "Billing · Acme Corp · OrgConsole"),
            (OrgConsole.Features.Billing.BillingRoutes.Usage(acme), "Usage · Acme Corp · OrgConsole"),
            (OrgConsole.Features.Billing.BillingRoutes.Invoices(acme), "Payment history and invoices · Acme Corp · OrgConsole"),
            (OrgConsole.Features.Audit.AuditRoutes.AuditLog(acme), "Audit log · Acme Corp · OrgConsole"),
            (OrgConsole.Features.Sso.SsoRoutes.Sso(acme), "Single sign-on · Acme Corp · OrgConsole"),
            (OrgConsole.Features.ServiceAccounts.ServiceAccountsRoutes.ServiceAccounts(acme), "Service accounts · Acme Corp · OrgConsole"),
        };

        foreach (var (path, title) in pages)
        {
            var html = await client.GetStringAsync(path);
            Assert.Contains($"<title>{title}</title>", html);
            Assert.DoesNotContain(InteractiveRoots(html), r => r.Start < html.IndexOf("</head>", StringComparison.Ordinal));
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task LinkToAnOrganizationNotAvailable_AnswersTheNotFoundPage_WithoutAFailedFetch_AFullLoadStill404()
    {
        var client = _app.NewClient();
        await AccountForms.PostLoginAsync(client, "owner@acme.example", AccountForms.DemoPassword);
        var unknown = OrgConsole.Features.Projects.ProjectsRoutes.Projects(Guid.NewGuid());

        var fullLoad = await client.GetAsync(unknown);
        using var enhanced = new HttpRequestMessage(HttpMethod.Get, unknown);
        enhanced.Headers.TryAddWithoutValidation("Accept", "text/html; blazor-enhanced-nav=on");
        var navigation = await client.SendAsync(enhanced);

        Assert.Equal(HttpStatusCode.NotFound, fullLoad.StatusCode);
        Assert.Equal(HttpStatusCode.OK, navigation.StatusCode);
        Assert.Equal("allow", navigation.Headers.GetValues("blazor-enhanced-nav").Single()); // else the browser reloads it in full: a 404
        var html = await navigation.Content.ReadAsStringAsync();
        Assert.Contains("This page does not exist, or your role in this organization does not include it.", html);
        Assert.Contains("Not found", html);
    }

    private static int Count(string html, string marker) => Regex.Matches(html, Regex.Escape(marker)).Count;

    private static string Between(string html, string start, string end)
    {
        var from = html.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"the page has {start}");
        var to = html.IndexOf(end, from, StringComparison.Ordinal);
        return html[from..to];
    }

    private static bool Within(string html, (int Start, int End) root, string marker)
    {
        var at = html.IndexOf(marker, root.Start, StringComparison.Ordinal);
        return at >= 0 && at < root.End;
    }

    /// <summary>The prerendered interactive server components: from the opening marker to its closing one.</summary>
    private static List<(int Start, int End)> InteractiveRoots(string html) =>
        OpeningMarker().Matches(html).Select(open =>
        {
            var id = open.Groups[1].Value;
            var close = html.IndexOf($"<!--Blazor:{{\"prerenderId\":\"{id}\"}}-->", open.Index, StringComparison.Ordinal);
            Assert.True(close > open.Index, $"the interactive root {id} is closed");
            return (open.Index, close);
        }).ToList();

    [GeneratedRegex("<!--Blazor:\\{\"type\":\"server\",\"prerenderId\":\"([0-9a-f]+)\"")]
    private static partial Regex OpeningMarker();
}
