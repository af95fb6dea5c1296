using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OrgConsole.Access;
using OrgConsole.Common;
using OrgConsole.Components.Shared;
using OrgConsole.Features.Organizations;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Components;

/// <summary>Every page shows what an action came to through <see cref="PageActions"/>: these are its rules.</summary>
public sealed class PageActionsTests : MudComponentTest
{
    private static readonly Guid OrgId = Guid.NewGuid();

    private sealed class Calls
    {
        public int RoleRefreshes;
        public int Reloads;
        public List<Error> Inline { get; } = [];

        public Task RefreshRoleAsync() { RoleRefreshes++; return Task.CompletedTask; }
        public Task ReloadAsync() { Reloads++; return Task.CompletedTask; }
        public bool ShowInline(Error error) { Inline.Add(error); return true; }
    }

    private (IRenderedComponent<MudSnackbarProvider> Snackbars, ISnackbar Snackbar) Providers()
    {
        Context.Render<MudPopoverProvider>();
        return (Context.Render<MudSnackbarProvider>(), Context.Services.GetRequiredService<ISnackbar>());
    }

    private static async Task<bool> ShowAsync(IRenderedComponent<MudSnackbarProvider> snackbars, ISnackbar snackbar, Result result, Calls calls) =>
        await snackbars.InvokeAsync(() => snackbar.ShowAsync(result, "Done.", OrgId, calls.RefreshRoleAsync, calls.ShowInline, calls.ReloadAsync));

    [Fact(Timeout = 30_000)]
    public async Task ASuccess_SaysSoInASuccessSnackbar_AndTouchesNothingElse()
    {
        var (snackbars, snackbar) = Providers();
        var calls = new Calls();

        Assert.True(await ShowAsync(snackbars, snackbar, Result.Ok(), calls));

        snackbars.WaitForAssertion(() => Assert.Contains("Done.", snackbars.Find(".mud-alert-filled-success, .mud-snackbar.mud-alert-filled-success").TextContent));
        Assert.Equal((0, 0), (calls.RoleRefreshes, calls.Reloads));
        Assert.Empty(calls.Inline);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(ErrorKind.Forbidden)]
    [InlineData(ErrorKind.NotFound)]
    public async Task ARefusalThatMayMeanTheRoleChanged_IsASnackbar_AndTheRoleIsReread_NeverInline(ErrorKind kind)
    {
        var (snackbars, snackbar) = Providers();
        var calls = new Calls();

        Assert.False(await ShowAsync(snackbars, snackbar, Result.Fail(new Error(kind, "You may not do that here.")), calls));

        snackbars.WaitForAssertion(() => Assert.Contains("You may not do that here.", snackbars.Find(".mud-snackbar").TextContent));
        Assert.Equal((1, 0), (calls.RoleRefreshes, calls.Reloads));
        Assert.Empty(calls.Inline);
    }

    [Fact(Timeout = 30_000)]
    public async Task ALostRace_IsTheConcurrencyMessageInASnackbar_AndThePageReloads_NeverInline()
    {
        var (snackbars, snackbar) = Providers();
        var calls = new Calls();

        Assert.False(await ShowAsync(snackbars, snackbar, Result.Fail(Error.ConcurrentChange()), calls));

        snackbars.WaitForAssertion(() => Assert.Contains(Error.ConcurrentChangeMessage, snackbars.Find(".mud-snackbar").TextContent));
        Assert.Equal((0, 1), (calls.RoleRefreshes, calls.Reloads));
        Assert.Empty(calls.Inline);
    }

    [Fact(Timeout = 30_000)]
    public async Task AFormError_GoesToThePagesInlineHandler_AndNoSnackbarShows()
    {
        var (snackbars, snackbar) = Providers();
        var calls = new Calls();
        var error = Error.Validation("Name", "Name is required.");

        Assert.False(await ShowAsync(snackbars, snackbar, error, calls));

        Assert.Equal(new[] { error }, calls.Inline);
        Assert.Empty(snackbars.FindAll(".mud-snackbar"));
        Assert.Equal((0, 0), (calls.RoleRefreshes, calls.Reloads));
    }

    [Fact(Timeout = 30_000)]
    public async Task AFormError_OnAPageWithoutAnInlineHandler_IsASnackbar()
    {
        var (snackbars, snackbar) = Providers();

        await snackbars.InvokeAsync(() => snackbar.ShowRefusalAsync(Error.Conflict("Invoice 7 is being paid in another window.")));

        snackbars.WaitForAssertion(() => Assert.Contains("Invoice 7 is being paid in another window.", snackbars.Find(".mud-snackbar").TextContent));
    }

    [Fact(Timeout = 30_000)]
    public async Task APlanGate_LinksToBillingPlanOfThatOrganization()
    {
        var (snackbars, snackbar) = Providers();
        var calls = new Calls();

        await ShowAsync(snackbars, snackbar, Result.Fail(Error.PlanGate(ErrorKind.Forbidden, "Single sign-on needs the Enterprise plan.")), calls);

        snackbars.WaitForAssertion(() =>
        {
            var link = snackbars.Find("[data-testid=plan-link]");
            Assert.Equal($"/orgs/{OrgId}/billing#plan", link.GetAttribute("href"));
            Assert.Equal(PageActions.PlanLinkText, link.TextContent.Trim());
            Assert.Contains("Single sign-on needs the Enterprise plan.", snackbars.Find(".mud-snackbar").TextContent);
        });
    }

    [Fact(Timeout = 30_000)]
    public async Task AnOrganizationPage_RereadsTheRoleThroughItsOrgContext_AndLinksItsOwnPlan()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Acme Actions");
        var refreshes = 0;
        var org = await SignInAsync(db, orgId, owner, [], () => { refreshes++; return Task.CompletedTask; });
        var snackbars = Context.Render<MudSnackbarProvider>();
        var snackbar = Context.Services.GetRequiredService<ISnackbar>();

        var shown = await snackbars.InvokeAsync(() => snackbar.ShowAsync(Error.PlanGate(ErrorKind.Quota, "Service accounts need the Enterprise plan."), "Done.", org));

        Assert.False(shown);
        snackbars.WaitForAssertion(() => Assert.Equal($"/orgs/{orgId}/billing#plan", snackbars.Find("[data-testid=plan-link]").GetAttribute("href")));
        Assert.Equal(0, refreshes); // a plan gate on a Quota is not a changed role

        await snackbars.InvokeAsync(() => snackbar.ShowRefusalAsync(Error.Forbidden("Needs the Owner role."), org));
        Assert.Equal(1, refreshes);
    }

    [Fact]
    public void EveryDialogOption_IsFullWidth_AndOnlyTheSecretDialogRefusesStrayCloses()
    {
        DialogOptions[] all = [ConsoleDialogs.Small, ConsoleDialogs.Medium, ConsoleDialogs.Details, ConsoleDialogs.ShowsSecret];
        Assert.All(all, o => Assert.True(o.FullWidth));
        Assert.Equal(false, ConsoleDialogs.ShowsSecret.BackdropClick);
        Assert.Equal(false, ConsoleDialogs.ShowsSecret.CloseOnEscapeKey);
        Assert.All(all.Where(o => o != ConsoleDialogs.ShowsSecret), o => Assert.NotEqual(false, o.CloseOnEscapeKey));
    }
}
