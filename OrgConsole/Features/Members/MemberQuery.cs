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

/// <summary>One page of the members table: filtered, sorted and paged in SQL.</summary>
public sealed record MemberQuery(string? Search = null, MemberSort Sort = MemberSort.Email, bool Descending = false, int Page = 0, int PageSize = 25)
{
    public const int MaxPageSize = 200;
}

/// <summary>One member in the list: <see cref="Role"/> is the most privileged of <see cref="Roles"/>, which the table shows as chips.</summary>
public sealed record MemberListItem(string UserId, string Name, string Email, Role Role, int ProjectCount, DateTime JoinedAt, DateTime? LastActiveAt)
{
    public IReadOnlyList<Role> Roles { get; init; } = [Role];
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
