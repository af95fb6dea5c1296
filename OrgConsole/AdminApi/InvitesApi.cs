using Microsoft.AspNetCore.Http.HttpResults;
using OrgConsole.Access;
using OrgConsole.Features.Invitations;

namespace OrgConsole.AdminApi;

/// <summary>/admin/invites — through <see cref="InvitationService"/> (tokens hashed, 7-day expiry, 100 emails an hour).</summary>
public static class InvitesApi
{
    private const string List = "invites";

    public static void MapInvitesApi(this RouteGroupBuilder admin) => admin.Operations("Invites")
        .Get("/invites", ListInvitesAsync, "list_invites", "List pending and expired invites")
        .Post<CreateInviteRequest>("/invites", CreateInviteAsync, "create_invite", "Invite a user to the organization")
        .Get("/invites/{invite_id}", GetInviteAsync, "fetch_invite", "Get invite details")
        .Delete("/invites/{invite_id}", DeleteInviteAsync, "delete_invite", "Delete a pending invite")
        .Post("/invites/{invite_id}/resend", ResendInviteAsync, "resend_invite", "Resend an invite email");

    public static Task<Results<Ok<PagedResponse<InviteDto>>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> ListInvitesAsync(
        HttpContext http, InvitationService invitations, CancellationToken ct) =>
        Cursor.OffsetPageAsync(http.Request, List, (skip, take) => invitations.ListPendingPageAsync(http.Caller().OrganizationId, skip, take, ct), Dto);

    public static async Task<Results<Ok<InviteDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, UnprocessableEntity<ErrorResponse>>> CreateInviteAsync(
        HttpContext http, InvitationService invitations, CancellationToken ct)
    {
        var (body, error) = await ApiResults.ReadBodyAsync<CreateInviteRequest>(http.Request, ct);
        if (error is not null) return error;
        if (string.IsNullOrWhiteSpace(body!.Email)) return ApiResults.BadRequest("email is required.");
        if (body.Email.Length > 254) return ApiResults.BadRequest("email can be at most 254 characters.");
        if (body.RoleBindings is not { Count: >= 1 and <= 100 }) return ApiResults.BadRequest("role_bindings must hold 1 to 100 bindings, one of them an organization role.");
        var org = http.Caller().OrganizationId;
        var (bindings, bindingError) = RoleBindingInputs.Parse(body.RoleBindings, org, WireNames.OrgAndProjectRoles);
        if (bindingError?.Invalid is { } invalid) return invalid;
        if (bindingError?.Missing is { } missing) return missing;
        var orgRoles = bindings!.Where(b => b.ProjectId is null).ToList();
        if (orgRoles.Count != 1)
        {
            return ApiResults.BadRequest($"role_bindings must include exactly one organization-scoped membership role ({WireNames.Supported(Roles.OrganizationRoles)}).");
        }
        var grants = bindings!.Where(b => b.ProjectId is not null).Select(b => new ProjectGrant(b.ProjectId!.Value, b.Role)).ToList();
        var invited = await invitations.InviteAsync(org, new InviteRequest([body.Email], orgRoles[0].Role, grants), ct);
        if (!invited.IsSuccess) return ApiResults.FailCreate<Ok<InviteDto>>(invited.Error);
        return TypedResults.Ok(Dto(invited.Value.Invited.Single()));
    }

    public static async Task<Results<Ok<InviteDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> GetInviteAsync(
        string invite_id, HttpContext http, InvitationService invitations, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(invite_id, "invite_id", out var id, out var bad)) return bad!;
        var invite = await invitations.GetAsync(http.Caller().OrganizationId, id, ct);
        if (!invite.IsSuccess) return ApiResults.Fail<Ok<InviteDto>>(invite.Error);
        if (invite.Value.State == InvitationState.Revoked) return ApiResults.NotFound("The invitation");
        return TypedResults.Ok(Dto(invite.Value));
    }

    public static async Task<Results<Accepted, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> DeleteInviteAsync(
        string invite_id, HttpContext http, InvitationService invitations, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(invite_id, "invite_id", out var id, out var bad)) return bad!;
        var org = http.Caller().OrganizationId;
        var current = await invitations.GetAsync(org, id, ct);
        if (!current.IsSuccess) return ApiResults.Fail<Accepted>(current.Error);
        if (current.Value.State == InvitationState.Revoked) return ApiResults.NotFound("The invitation");
        var revoked = await invitations.RevokeAsync(org, id, ct);
        return revoked.IsSuccess ? TypedResults.Accepted((string?)null) : ApiResults.Fail<Accepted>(revoked.Error);
    }

    public static async Task<Results<Ok<InviteDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, TooManyRequests<ErrorResponse>>> ResendInviteAsync(
        string invite_id, HttpContext http, InvitationService invitations, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(invite_id, "invite_id", out var id, out var bad)) return bad!;
        var org = http.Caller().OrganizationId;
        var current = await invitations.GetAsync(org, id, ct);
        if (!current.IsSuccess) return ApiResults.FailResend<Ok<InviteDto>>(current.Error);
        if (current.Value.State == InvitationState.Revoked) return ApiResults.NotFound("The invitation");
        var resent = await invitations.ResendAsync(org, id, ct);
        return resent.IsSuccess ? TypedResults.Ok(Dto(resent.Value)) : ApiResults.FailResend<Ok<InviteDto>>(resent.Error);
    }

    private static InviteDto Dto(InvitationRow i) =>
        new(i.Id, i.Email, WireNames.InviteStatus(i.State), i.State is InvitationState.Accepted ? null : i.ExpiresAt, i.AcceptedAt, i.CreatedAt);
}
