using Microsoft.AspNetCore.Http.HttpResults;
using OrgConsole.Features.Members;

namespace OrgConsole.AdminApi;

/// <summary>/admin/users: the organization's people — through <see cref="MemberService"/> (removal keeps the last-owner guard).</summary>
public static class UsersApi
{
    private const string List = "users";

    public static void MapUsersApi(this RouteGroupBuilder admin) => admin.Operations("Users")
        .Get("/users", ListUsersAsync, "list_users", "List users")
        .Get("/users/{user_id}", GetUserAsync, "fetch_user", "Get user details")
        .Delete("/users/{user_id}", DeleteUserAsync, "delete_user", "Remove a user from the organization");

    public static async Task<Results<Ok<PagedResponse<UserDto>>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> ListUsersAsync(
        HttpContext http, MemberService members, CancellationToken ct)
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
        if (!page.IsSuccess) return ApiResults.Fail<Ok<PagedResponse<UserDto>>>(page.Error);
        var p = page.Value;
        return TypedResults.Ok(new PagedResponse<UserDto>(p.Items.Select(Dto).ToList(), p.HasMore ? new Pagination(Cursor.Encode(List, p.Items[^1].Email)) : null));
    }

    public static async Task<Results<Ok<UserDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> GetUserAsync(
        string user_id, HttpContext http, MemberService members, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(user_id, "user_id", out var id, out var bad)) return bad!;
        var member = await members.GetAsync(http.Caller().OrganizationId, id.ToString(), ct);
        return member.IsSuccess ? TypedResults.Ok(Dto(member.Value)) : ApiResults.Fail<Ok<UserDto>>(member.Error);
    }

    /// <summary>Removing the last owner is refused (409).</summary>
    public static async Task<Results<Accepted, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> DeleteUserAsync(
        string user_id, HttpContext http, MemberService members, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(user_id, "user_id", out var id, out var bad)) return bad!;
        var removed = await members.RemoveAsync(http.Caller().OrganizationId, id.ToString(), ct);
        return removed.IsSuccess ? TypedResults.Accepted((string?)null) : ApiResults.Fail<Accepted>(removed.Error);
    }

    private static UserDto Dto(MemberRow m) => new(m.UserId, m.Email, m.Name == m.Email ? null : m.Name);
}
