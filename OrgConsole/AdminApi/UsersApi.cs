using OrgConsole.Features.Members;

namespace OrgConsole.AdminApi;

/// <summary>/admin/users: the organization's people — through <see cref="MemberService"/> (removal keeps the last-owner guard).</summary>
public static class UsersApi
{
    private const string Tag = "Users";
    private const string List = "users";

    public static void MapUsersApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/users", async (HttpContext http, MemberService members, CancellationToken ct) =>
        {
            if (Cursor.ReadLimit(http.Request, out var take) is { } badLimit) return badLimit;
            var email = http.Request.Query["email"].ToString();
            if (email.Length > 254) return ApiResults.BadRequest("email can be at most 254 characters.");
            string? after = null;
            var token = http.Request.Query["paginationToken"].ToString();
            if (token.Length > 0)
            {
                if (!Cursor.TryDecode(List, token, out var position)) return Cursor.InvalidToken();
                after = position;
            }
            var page = await members.ListPageAsync(http.Caller().OrganizationId, email.Length == 0 ? null : email, after, take, ct);
            return ApiResults.From(page, p => new PagedResponse<UserDto>(p.Items.Select(Dto).ToList(),
                p.HasMore ? new Pagination(Cursor.Encode(List, p.Items[^1].Email)) : null));
        }).Documented<PagedResponse<UserDto>>("list_users", "List users", Tag);

        admin.MapGet("/users/{user_id}", async (string user_id, HttpContext http, MemberService members, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(user_id, "user_id", out var id, out var bad)) return bad!;
            return ApiResults.From(await members.GetAsync(http.Caller().OrganizationId, id.ToString(), ct), Dto);
        }).Documented<UserDto>("fetch_user", "Get user details", Tag);

        admin.MapDelete("/users/{user_id}", async (string user_id, HttpContext http, MemberService members, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(user_id, "user_id", out var id, out var bad)) return bad!;
            var removed = await members.RemoveAsync(http.Caller().OrganizationId, id.ToString(), ct);
            return removed.IsSuccess ? ApiResults.Accepted() : ApiResults.From(removed.Error);
        }).DocumentedAccepted("delete_user", "Remove a user from the organization", Tag);
    }

    private static UserDto Dto(MemberRow m) => new(m.UserId, m.Email, m.Name == m.Email ? null : m.Name);
}
