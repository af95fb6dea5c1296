using System.Text.RegularExpressions;

namespace OrgConsole.Access;

/// <summary>
/// Where a role's wire name (the Admin API's <c>ProjectEditor</c>) has to appear — messages the Admin API shares, the
/// audit log's recorded JSON — it comes with its label from <see cref="Roles.DisplayName"/>: "Project editor (ProjectEditor)".
/// </summary>
public static partial class RoleLabels
{
    /// <summary>"Project editor (ProjectEditor)": for text read both in the console and by API clients.</summary>
    public static string WithWireName(this Role role) => $"{role.DisplayName()} ({role})";

    /// <summary>Several roles, each <see cref="WithWireName"/>, comma-separated.</summary>
    public static string WithWireNames(IEnumerable<Role> roles) => string.Join(", ", roles.Select(WithWireName));

    /// <summary>
    /// Text (such as an audit event's JSON) with every quoted wire role name followed by its label:
    /// <c>"Role": "ProjectEditor"</c> reads <c>"Role": "ProjectEditor" (Project editor)</c>.
    /// </summary>
    public static string Annotate(string text) => QuotedWord().Replace(text, m =>
        Enum.TryParse<Role>(m.Groups[1].Value, ignoreCase: false, out var role) && Enum.IsDefined(role) && role.ToString() == m.Groups[1].Value
            ? $"{m.Value} ({role.DisplayName()})"
            : m.Value);

    [GeneratedRegex("\"([A-Za-z]+)\"")]
    private static partial Regex QuotedWord();
}
