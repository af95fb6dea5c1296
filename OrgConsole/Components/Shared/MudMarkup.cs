using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace OrgConsole.Components.Shared;

/// <summary>
/// MudBlazor's markup without its components, for parts rendered many times per page (a table's rows): the classes
/// MudIconButton and MudIcon render, so a plain <c>&lt;button&gt;</c> looks and behaves the same with no component per button.
/// </summary>
public static class MudMarkup
{
    /// <summary>The classes of a <c>MudIconButton</c> of this color and size (MudBlazor 9).</summary>
    public static string IconButtonClass(Color color = Color.Default, Size size = Size.Medium) =>
        "mud-button-root mud-icon-button"
        + (color is Color.Default ? "" : color is Color.Inherit ? " mud-inherit-text hover:mud-inherit-hover" : $" mud-{Name(color)}-text hover:mud-{Name(color)}-hover")
        + $" mud-ripple mud-ripple-icon{(size is Size.Medium ? "" : $" mud-icon-button-size-{Name(size)}")}";

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
