using OrgConsole.Access;
using OrgConsole.Features.Invitations;

namespace OrgConsole.AdminApi;

/// <summary>Names on the wire (SPEC §1.4): our <see cref="Role"/> names are Pinecone's; the two it has and we do not model are refused.</summary>
public static class WireNames
{
    public static readonly IReadOnlyList<string> Unmodelled = ["OrgManager", "ProjectManager"];

    public static string Supported(IEnumerable<Role> roles) => string.Join(", ", roles);

    /// <summary>Parses a role name exactly (no numbers, no other casing); null plus a message naming the supported roles otherwise.</summary>
    public static Role? ParseRole(string? name, IEnumerable<Role> allowed, out string? error)
    {
        var allowedList = allowed.ToList();
        error = null;
        if (name is not null && Enum.GetNames<Role>().Contains(name, StringComparer.Ordinal))
        {
            var role = Enum.Parse<Role>(name);
            if (allowedList.Contains(role)) return role;
            error = $"The role '{name}' cannot be used here. Supported roles: {Supported(allowedList)}.";
            return null;
        }
        error = Unmodelled.Contains(name ?? "", StringComparer.Ordinal)
            ? $"OrgConsole does not model the role '{name}'. Supported roles: {Supported(allowedList)}."
            : $"Unknown role '{Truncate(name)}'. Supported roles: {Supported(allowedList)}.";
        return null;
    }

    public static readonly IReadOnlyList<Role> OrgAndProjectRoles = [.. Roles.OrganizationRoles, .. Roles.ProjectRoles];

    public static readonly IReadOnlyList<Role> AllRoles = Enum.GetValues<Role>();

    public static string PrincipalType(PrincipalType type) => type switch
    {
        Access.PrincipalType.User => "user",
        Access.PrincipalType.ServiceAccount => "service_account",
        Access.PrincipalType.Invite => "invite",
        _ => "api_key",
    };

    public static string Plan(Plan plan) => plan switch
    {
        OrgConsole.Access.Plan.Starter => "Free",
        _ => plan.ToString(),
    };

    public static string InviteStatus(InvitationState state) => state switch
    {
        InvitationState.Pending => "pending",
        InvitationState.Expired => "expired",
        _ => "processed",
    };

    public static string Truncate(string? value, int max = 64) => value is null ? "" : value.Length <= max ? value : value[..max] + "…";
}
