using MudBlazor;

namespace OrgConsole.Components.Layout;

public static class AppTheme
{
    // System fonts only: the app must not fetch web fonts from anywhere.
    private static readonly string[] FontStack = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            Secondary = "#00695c", // 6.5:1 on white: readable as text, not only as an accent
            AppbarBackground = "#1a237e",
            Background = "#f6f7fb",
            DrawerBackground = "#ffffff",
            // MudBlazor's default error red (#f44336) is 3.7:1 on white; text needs 4.5:1 (WCAG AA, axe color-contrast).
            Error = "#c62828",
            // Likewise the default success green (#00c853) under white snackbar text is about 2:1.
            Success = "#2e7d32",
            // And the default amber (#ff9800): warning alerts draw their text in a darker shade of it, still under 3:1 on their tint.
            Warning = "#a85d00",
            // The default blue (#2196f3) under white text (filled chips such as "Pending", snackbars) is 3.1:1, and info
            // alerts draw their text in a shade of it on its own tint: this one is 5.7:1 under white.
            Info = "#1565c0",
            // Breadcrumbs and captions draw in the disabled text colour; MudBlazor's 38% black is 2.6:1 on the background.
            TextDisabled = "rgba(0,0,0,0.6)",
            // Input labels, helper texts and counters: MudBlazor's 54% black is 4.48:1 on the page background.
            TextSecondary = "rgba(0,0,0,0.64)",
        },
        PaletteDark = new PaletteDark
        {
            // Light accents on the dark surfaces; what is drawn on them (filled buttons, chips, snackbars) is black, not
            // white: white on #9aaaff is 2.1:1, black 9.6:1. Primary text on a hovered tab or list item (#3c3d4b) is 4.9:1.
            Primary = "#9aaaff",
            PrimaryContrastText = "#000000",
            Secondary = "#4db6ac",
            SecondaryContrastText = "#000000",
            // Alerts draw their text in a darker shade of the colour on its own tint: these stay 4.5:1 there.
            Info = "#90caf9",
            InfoContrastText = "#000000",
            Success = "#a5d6a7",
            SuccessContrastText = "#000000",
            Warning = "#ffcc80",
            WarningContrastText = "#000000",
            Error = "#ff8a80",
            ErrorContrastText = "#000000",
            TextDisabled = "rgba(255,255,255,0.6)",
            // Input labels and helper texts: MudBlazor's 50% white is 4.25:1 on a dialog's surface.
            TextSecondary = "rgba(255,255,255,0.7)",
            AppbarBackground = "#121833",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = FontStack },
            H1 = new H1Typography { FontFamily = FontStack },
            H2 = new H2Typography { FontFamily = FontStack },
            H3 = new H3Typography { FontFamily = FontStack },
            H4 = new H4Typography { FontFamily = FontStack, FontSize = "2rem" },
            H5 = new H5Typography { FontFamily = FontStack },
            H6 = new H6Typography { FontFamily = FontStack },
            Button = new ButtonTypography { FontFamily = FontStack, TextTransform = "none" },
            Body1 = new Body1Typography { FontFamily = FontStack },
            Body2 = new Body2Typography { FontFamily = FontStack },
        },
    };
}
