using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Data.Sqlite;
using OrgConsole.Components.Shared;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Components;

/// <summary>On an interactive page, a database lock held past the busy timeout shows "try again", and trying again works.</summary>
public sealed class DatabaseBusyBoundaryTests : MudComponentTest
{
    [Fact(Timeout = 30_000)]
    public async Task ABusyDatabase_DuringAnAction_ShowsTryAgain_AndTryAgainRestoresThePage()
    {
        RenderProviders();
        var boundary = Context.Render<DatabaseBusyBoundary>(p => p.AddChildContent<SavesOnClick>());

        await boundary.Find("[data-testid=save]").ClickAsync();

        var alert = boundary.Find("[data-testid=database-busy]");
        Assert.Contains("try again in a few seconds", alert.TextContent);
        await boundary.Find("[data-testid=database-busy-retry]").ClickAsync();
        Assert.NotNull(boundary.Find("[data-testid=save]"));
    }

    [Fact(Timeout = 30_000)]
    public async Task AnyOtherException_IsNotSwallowed()
    {
        RenderProviders();
        var boundary = Context.Render<DatabaseBusyBoundary>(p => p.AddChildContent<FailsOnClick>());

        await Assert.ThrowsAnyAsync<Exception>(() => boundary.Find("[data-testid=fail]").ClickAsync());

        Assert.Empty(boundary.FindAll("[data-testid=database-busy]"));
    }

    private sealed class FailsOnClick : ComponentBase
    {
        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenElement(0, "button");
            builder.AddAttribute(1, "data-testid", "fail");
            builder.AddAttribute(2, "onclick", EventCallback.Factory.Create(this, Fail));
            builder.CloseElement();
        }

        private static Task Fail() => throw new InvalidOperationException("a bug");
    }

    /// <summary>A page whose action meets SQLite's SQLITE_BUSY, as EF Core reports it.</summary>
    private sealed class SavesOnClick : ComponentBase
    {
        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenElement(0, "button");
            builder.AddAttribute(1, "data-testid", "save");
            builder.AddAttribute(2, "onclick", EventCallback.Factory.Create(this, Save));
            builder.AddContent(3, "Save");
            builder.CloseElement();
        }

        private static Task Save() =>
            throw new InvalidOperationException("An exception has been raised that is likely due to a transient failure.",
                new SqliteException("SQLite Error 5: 'database is locked'.", 5));
    }
}
