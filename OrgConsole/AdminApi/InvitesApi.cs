using OrgConsole.Access;
using OrgConsole.Features.Invitations;

namespace OrgConsole.AdminApi;

/// <summary>/admin/invites — through <see cref="InvitationService"/> (tokens hashed, 7-day expiry, 100 emails an hour).</summary>
public static class InvitesApi
{
    private const string Tag = "Invites";
    private const string List = "invites";

    public static void MapInvitesApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/invites", async (HttpContext http, InvitationService invitations, CancellationToken ct) =>
        {
            if (Cursor.ReadOffsetPage(http.Request, List, out var skip, out var take) is { } bad) return bad;
            var page = await invitations.ListPendingPageAsync(http.Caller().OrganizationId, skip, take, ct);
            return ApiResults.From(page, p => new PagedResponse<InviteDto>(p.Items.Select(Dto).ToList(),
                p.HasMore ? new Pagination(Cursor.Encode(List, (skip + take).ToString())) : null));
        }).Documented<PagedResponse<InviteDto>>("list_invites", "List pending and expired invites", Tag);

        admin.MapPost("/invites", async (HttpContext http, InvitationService invitations, CancellationToken ct) =>
        {
            var (body, error) = await ApiResults.ReadBodyAsync<CreateInviteRequest>(http.Request, ct);
            if (error is not null) return error;
            if (string.IsNullOrWhiteSpace(body!.Email)) return ApiResults.BadRequest("email is required.");
            if (body.Email.Length > 254) return ApiResults.BadRequest("email can be at most 254 characters.");
            if (body.RoleBindings is not { Count: >= 1 and <= 100 }) return ApiResults.BadRequest("role_bindings must hold 1 to 100 bindings, one of them an organization role.");
            var org = http.Caller().OrganizationId;
            var (bindings, bindingError) = RoleBindingInputs.Parse(body.RoleBindings, org, WireNames.OrgAndProjectRoles);
            if (bindingError is not null) return bindingError;
            var orgRoles = bindings!.Where(b => b.ProjectId is null).ToList();
            if (orgRoles.Count != 1)
            {
                return ApiResults.BadRequest($"role_bindings must include exactly one organization-scoped membership role ({WireNames.Supported(Roles.OrganizationRoles)}).");
            }
            var grants = bindings!.Where(b => b.ProjectId is not null).Select(b => new ProjectGrant(b.ProjectId!.Value, b.Role)).ToList();
            var invited = await invitations.InviteAsync(org, new InviteRequest([body.Email], orgRoles[0].Role, grants), ct);
            return ApiResults.From(invited, o => Dto(o.Invited.Single()), style: ErrorStyle.Create);
        }).Accepts<CreateInviteRequest>("application/json").Documented<InviteDto>("create_invite", "Invite a user to the organization", Tag);

        admin.MapGet("/invites/{invite_id}", async (string invite_id, HttpContext http, InvitationService invitations, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(invite_id, "invite_id", out var id, out var bad)) return bad!;
            return await FetchAsync(invitations, http.Caller().OrganizationId, id, ct);
        }).Documented<InviteDto>("fetch_invite", "Get invite details", Tag);

        admin.MapDelete("/invites/{invite_id}", async (string invite_id, HttpContext http, InvitationService invitations, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(invite_id, "invite_id", out var id, out var bad)) return bad!;
            var org = http.Caller().OrganizationId;
            var current = await invitations.GetAsync(org, id, ct);
            if (!current.IsSuccess) return ApiResults.From(current.Error);
            if (current.Value.State == InvitationState.Revoked) return ApiResults.NotFound("The invitation");
            var revoked = await invitations.RevokeAsync(org, id, ct);
            return revoked.IsSuccess ? ApiResults.Accepted() : ApiResults.From(revoked.Error);
        }).DocumentedAccepted("delete_invite", "Delete a pending invite", Tag);

        admin.MapPost("/invites/{invite_id}/resend", async (string invite_id, HttpContext http, InvitationService invitations, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(invite_id, "invite_id", out var id, out var bad)) return bad!;
            var org = http.Caller().OrganizationId;
            var current = await invitations.GetAsync(org, id, ct);
            if (!current.IsSuccess) return ApiResults.From(current.Error);
            if (current.Value.State == InvitationState.Revoked) return ApiResults.NotFound("The invitation");
            return ApiResults.From(await invitations.ResendAsync(org, id, ct), Dto, style: ErrorStyle.Resend);
        }).Documented<InviteDto>("resend_invite", "Resend an invite email", Tag).Produces<ErrorResponse>(409).Produces<ErrorResponse>(429);
    }

    private static async Task<IResult> FetchAsync(InvitationService invitations, Guid org, Guid id, CancellationToken ct)
    {
        var result = await invitations.GetAsync(org, id, ct);
        if (result.IsSuccess && result.Value.State == InvitationState.Revoked) return ApiResults.NotFound("The invitation");
        return ApiResults.From(result, Dto);
    }

    private static InviteDto Dto(InvitationRow i) =>
        new(i.Id, i.Email, WireNames.InviteStatus(i.State), i.State is InvitationState.Accepted ? null : i.ExpiresAt, i.AcceptedAt, i.CreatedAt);
}
