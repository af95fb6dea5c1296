using Microsoft.AspNetCore.Identity;

namespace OrgConsole.Data;

public class ApplicationUser : IdentityUser
{
    /// <summary>The name shown in member lists and the app bar; the email when empty.</summary>
    [PersonalData]
    public string? DisplayName { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? LastActiveAt { get; set; }

    /// <summary>The organization the console opens on next time (SPEC §2: the last used is remembered).</summary>
    public Guid? LastOrganizationId { get; set; }

    public bool PrefersDarkMode { get; set; }

    public string Name => string.IsNullOrWhiteSpace(DisplayName) ? Email ?? UserName ?? Id : DisplayName;
}
