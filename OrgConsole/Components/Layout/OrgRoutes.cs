using System.Text.RegularExpressions;

namespace OrgConsole.Components.Layout;

/// <summary>
/// What every feature's route table shares: organization pages live under <see cref="Prefix"/>, and a link is its page's
/// template filled in (<see cref="Link"/>), so the <c>[Route]</c> of a page and the links to it cannot drift apart. The
/// routes themselves live beside their feature (<c>MembersRoutes</c>, <c>BillingRoutes</c>, …).
/// </summary>
public static partial class OrgRoutes
{
    /// <summary>The start of every organization page's template.</summary>
    public const string Prefix = "/orgs/{OrgId:guid}";

    /// <summary>The template with its route parameters (<c>{OrgId:guid}</c>, <c>{ProjectId:guid}</c>, …) filled in, in order.</summary>
    public static string Link(string template, params Guid[] values)
    {
        var next = 0;
        var link = Parameter().Replace(template, _ => next < values.Length
            ? values[next++].ToString()
            : throw new ArgumentException($"{template} has more parameters than the {values.Length} given.", nameof(values)));
        return next == values.Length ? link : throw new ArgumentException($"{template} has fewer parameters than the {values.Length} given.", nameof(values));
    }

    /// <summary>The organization a console URI is about (<c>/orgs/{id}/…</c>), if any.</summary>
    public static Guid? OrganizationIdOf(string uri)
    {
        var path = new Uri(uri).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return path.Length >= 2 && path[0] == "orgs" && Guid.TryParse(path[1], out var id) ? id : null;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
