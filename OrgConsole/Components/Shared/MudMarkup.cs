using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace OrgConsole.Components.Shared;

/// <summary>
/// MudBlazor's markup without its components, for parts rendered many times per page (a table's rows) and for a page's
/// shell (its header buttons, loading bar, tooltips): the classes MudIconButton, MudButton, MudIcon and MudProgressLinear
/// render, so a plain <c>&lt;button&gt;</c> looks and behaves the same with no component per button. Every live component
/// keeps two render-tree buffers for as long as the circuit lives; markup in the page's own tree costs nothing extra.
/// </summary>
public static class MudMarkup
{
    /// <summary>The classes of a <c>MudIconButton</c> of this color and size (MudBlazor 9).</summary>
    public static string IconButtonClass(Color color = Color.Default, Size size = Size.Medium) =>
        "mud-button-root mud-icon-button"
        + (color is Color.Default ? "" : color is Color.Inherit ? " mud-inherit-text hover:mud-inherit-hover" : $" mud-{Name(color)}-text hover:mud-{Name(color)}-hover")
        + $" mud-ripple mud-ripple-icon{(size is Size.Medium ? "" : $" mud-icon-button-size-{Name(size)}")}";

    /// <summary>The classes of a <c>MudButton</c> of this variant, color and size (MudBlazor 9).</summary>
    public static string ButtonClass(Variant variant, Color color = Color.Default, Size size = Size.Medium) =>
        $"mud-button-root mud-button mud-button-{Name(variant)} mud-button-{Name(variant)}-{Name(color)} mud-button-{Name(variant)}-size-{Name(size)} mud-ripple";

    /// <summary>A <c>MudButton</c>'s content: its start icon (one of <see cref="Icons"/>) and its text.</summary>
    public static RenderFragment ButtonLabel(string startIcon, string text, Size size = Size.Medium) => builder =>
    {
        builder.OpenElement(0, "span");
        builder.AddAttribute(1, "class", "mud-button-label");
        builder.OpenElement(2, "span");
        builder.AddAttribute(3, "class", $"mud-button-icon-start mud-button-icon-size-{Name(size)}");
        Svg(builder, startIcon, size, null);
        builder.CloseElement();
        builder.AddContent(4, text);
        builder.CloseElement();
    };

    /// <summary>
    /// The classes of a tooltip that is markup, not a popover: an element with <c>role=tooltip</c> in an
    /// <c>oc-tooltip-host</c> beside its control, named by the control's <c>aria-describedby</c> and shown by app.css on
    /// hover and keyboard focus.
    /// </summary>
    public const string TooltipClass = "oc-tooltip mud-tooltip mud-tooltip-default";

    /// <summary>An indeterminate <c>MudProgressLinear</c> (a loading bar) named <paramref name="label"/>.</summary>
    public static RenderFragment LoadingBar(string label) => builder =>
    {
        builder.OpenElement(0, "div");
        builder.AddAttribute(1, "role", "progressbar");
        builder.AddAttribute(2, "aria-busy", "true");
        builder.AddAttribute(3, "aria-label", label);
        builder.AddAttribute(4, "class", "mud-progress-linear mud-progress-indeterminate mud-progress-linear-small mud-progress-linear-color-default mud-progress-linear-background horizontal");
        builder.AddMarkupContent(5, """<div class="mud-progress-linear-bars mud-flip-x-rtl"><div class="mud-progress-linear-bar"></div><div class="mud-progress-linear-bar"></div></div>""");
        builder.CloseElement();
    };

    /// <summary>
    /// The same SVG icon as one markup frame (<see cref="Svg(string, Size, string?)"/> takes seven): for icons that never
    /// change, in components rendered once per row or per circuit, whose render-tree arrays grow in powers of two.
    /// <paramref name="icon"/> is one of <see cref="Icons"/> (constant markup, never user input).
    /// </summary>
    public static MarkupString SvgMarkup(string icon, Size size = Size.Medium) =>
        new($"""<svg class="mud-icon-root mud-svg-icon mud-icon-size-{Name(size)}" focusable="false" viewBox="0 0 24 24" aria-hidden="true" role="img">{icon}</svg>""");

    /// <summary>An icon button's content (<c>mud-icon-button-label</c> around the icon) as one markup frame.</summary>
    public static MarkupString IconLabelMarkup(string icon, Size size = Size.Medium) =>
        new($"""<span class="mud-icon-button-label">{SvgMarkup(icon, size).Value}</span>""");

    /// <summary>An SVG icon as <c>MudIcon</c> renders it (<paramref name="icon"/> is one of <see cref="Icons"/>).</summary>
    public static RenderFragment Svg(string icon, Size size = Size.Medium, string? extraClass = null) => builder => Svg(builder, icon, size, extraClass);

    private static void Svg(RenderTreeBuilder builder, string icon, Size size, string? extraClass)
    {
        builder.OpenElement(0, "svg");
        builder.AddAttribute(1, "class", $"mud-icon-root mud-svg-icon mud-icon-size-{Name(size)}{(extraClass is null ? "" : " " + extraClass)}");
        builder.AddAttribute(2, "focusable", "false");
        builder.AddAttribute(3, "viewBox", "0 0 24 24");
        builder.AddAttribute(4, "aria-hidden", "true");
        builder.AddAttribute(5, "role", "img");
        builder.AddMarkupContent(6, icon);
        builder.CloseElement();
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
