using OrgConsole.Access;

namespace OrgConsole.Features.Members;

public enum MemberSort
{
    Name,
    Email,
    Role,
    Projects,
    Joined,
    LastActive,
}

/// <summary>
/// One page of the members table: filtered, sorted and paged in SQL. With <see cref="From"/> the page is the one just
/// after (or before) that member in this order — keyset paging, as cheap deep in the list as on page one (next/previous);
/// without it, <see cref="Page"/> is skipped to by offset (jump-to-page).
/// </summary>
public sealed record MemberQuery(string? Search = null, MemberSort Sort = MemberSort.Email, bool Descending = false, int Page = 0, int PageSize = 25, MemberKeyset? From = null)
{
    public const int MaxPageSize = 200;
}

/// <summary>
/// Where a keyset page starts: the sort key values of the member on the edge of the page shown (its last row for the
/// next page, its first for the previous one). Orders keyed on values the membership row does not hold (projects, last
/// active) page by offset.
/// </summary>
public sealed record MemberKeyset(string Email, string Name, DateTime JoinedAt, bool Forward)
{
    /// <summary>The page after this member (next page).</summary>
    public static MemberKeyset After(MemberListItem last) => new(last.Email, last.Name, last.JoinedAt, Forward: true);

    /// <summary>The page before this member (previous page).</summary>
    public static MemberKeyset Before(MemberListItem first) => new(first.Email, first.Name, first.JoinedAt, Forward: false);

    /// <summary>Whether this order can page by keyset (its key is an indexed column of the membership row).</summary>
    public static bool Supports(MemberSort sort) => sort is MemberSort.Email or MemberSort.Name or MemberSort.Joined;
}

/// <summary>One member in the list: <see cref="Role"/> is the most privileged of <see cref="Roles"/>, which the table shows as chips.</summary>
public sealed record MemberListItem(string UserId, string Name, string Email, Role Role, int ProjectCount, DateTime JoinedAt, DateTime? LastActiveAt)
{
    public IReadOnlyList<Role> Roles { get; init; } = Access.Roles.Only(Role);

    /// <summary>By value, roles included: the grid keys its rows by item, so an unchanged member keeps its row across reloads.</summary>
    public bool Equals(MemberListItem? other) => other is not null && (UserId, Name, Email, Role, ProjectCount, JoinedAt, LastActiveAt)
        == (other.UserId, other.Name, other.Email, other.Role, other.ProjectCount, other.JoinedAt, other.LastActiveAt) && Roles.SequenceEqual(other.Roles);

    public override int GetHashCode() => HashCode.Combine(UserId, Email, Role, ProjectCount);
}

public sealed record MemberPage(IReadOnlyList<MemberListItem> Items, int TotalCount);

/// <summary>What a role change adds and takes away, for the confirmation dialog.</summary>
public sealed record RoleChangeSummary(Role From, Role To, IReadOnlyList<Permission> Gained, IReadOnlyList<Permission> Lost)
{
    public static RoleChangeSummary Between(Role from, Role to) => Between([from], to);

    /// <summary>From the union of the roles held (bindings add up) to exactly one role: what "Change role" does.</summary>
    public static RoleChangeSummary Between(IReadOnlyList<Role> from, Role to)
    {
        var before = from.SelectMany(RolePermissions.PermissionsOf).ToHashSet();
        var after = RolePermissions.PermissionsOf(to);
        return new(from[0], to, after.Except(before).Order().ToList(), before.Except(after).Order().ToList());
    }
}
