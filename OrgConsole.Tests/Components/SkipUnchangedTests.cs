using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using OrgConsole.Components.Shared;

namespace OrgConsole.Tests.Components;

/// <summary>A grid row whose member did not change is not rendered again when the grid re-renders (a sort).</summary>
public sealed class SkipUnchangedTests : IAsyncLifetime
{
    private readonly BunitContext _context = new();

    [Fact(Timeout = 30_000)]
    public async Task TheContent_RendersAgainOnlyWhenForChanges()
    {
        var host = _context.Render<Host>(p => p.Add(x => x.For, ("ada", 1)));
        Assert.Equal("(ada, 1)", host.Find("p").TextContent);
        Assert.Equal(1, host.FindComponent<Counted>().Instance.Renders);

        // The parent re-renders with an equal value (a new tuple, same content): nothing below renders.
        host.Render(p => p.Add(x => x.For, ("ada", 1)));
        host.Render(p => p.Add(x => x.For, ("ada", 1)));
        Assert.Equal(1, host.FindComponent<Counted>().Instance.Renders);

        host.Render(p => p.Add(x => x.For, ("ada", 2)));
        Assert.Equal("(ada, 2)", host.Find("p").TextContent);
        Assert.Equal(2, host.FindComponent<Counted>().Instance.Renders);
        await Task.CompletedTask;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _context.DisposeAsync();

    public sealed class Host : ComponentBase
    {
        [Parameter] public (string Name, int Version) For { get; set; }

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            var shown = For;
            builder.OpenComponent<SkipUnchanged>(0);
            builder.AddComponentParameter(1, nameof(SkipUnchanged.For), shown);
            builder.AddComponentParameter(2, nameof(SkipUnchanged.ChildContent), (RenderFragment)(b =>
            {
                b.OpenComponent<Counted>(0);
                b.AddComponentParameter(1, nameof(Counted.Item), shown); // an object: without the skip, Blazor renders it on every parent render
                b.CloseComponent();
            }));
            builder.CloseComponent();
        }
    }

    public sealed class Counted : ComponentBase
    {
        [Parameter] public object? Item { get; set; }
        public int Renders { get; private set; }

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            Renders++;
            builder.AddMarkupContent(0, $"<p>{Item}</p>");
        }
    }
}
