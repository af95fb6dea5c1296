using OrgConsole.Common;
using OrgConsole.Features.Organizations;

namespace OrgConsole.AdminApi;

/// <summary>/admin/organizations: a token sees only its own organization; any other id is 404.</summary>
public static class OrganizationsApi
{
    private const string Tag = "Organizations";

    public static void MapOrganizationsApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/organizations", async (HttpContext http, OrganizationService organizations, TimeProvider time, CancellationToken ct) =>
            ApiResults.From(await organizations.GetAsync(http.Caller().OrganizationId, ct), o => new ListResponse<OrganizationDto>([Dto(o, time.UtcNow())])))
            .Documented<ListResponse<OrganizationDto>>("list_organizations", "List organizations", Tag);

        admin.MapGet("/organizations/{organization_id}", async (string organization_id, HttpContext http, OrganizationService organizations, TimeProvider time, CancellationToken ct) =>
        {
            if (Own(http, organization_id) is not { } org) return ApiResults.NotFound("The organization");
            return ApiResults.From(await organizations.GetAsync(org, ct), o => Dto(o, time.UtcNow()));
        }).Documented<OrganizationDto>("fetch_organization", "Get organization details", Tag);

        admin.MapPatch("/organizations/{organization_id}", async (string organization_id, HttpContext http, OrganizationService organizations, TimeProvider time, CancellationToken ct) =>
        {
            if (Own(http, organization_id) is not { } org) return ApiResults.NotFound("The organization");
            var (body, error) = await ApiResults.ReadBodyAsync<UpdateOrganizationRequest>(http.Request, ct);
            if (error is not null) return error;
            if (body!.Name is not null)
            {
                var renamed = await organizations.RenameAsync(org, body.Name, ct);
                if (!renamed.IsSuccess) return ApiResults.From(renamed.Error);
            }
            return ApiResults.From(await organizations.GetAsync(org, ct), o => Dto(o, time.UtcNow()));
        }).Accepts<UpdateOrganizationRequest>("application/json").Documented<OrganizationDto>("update_organization", "Update an organization", Tag);

        admin.MapDelete("/organizations/{organization_id}", async (string organization_id, HttpContext http, OrganizationService organizations, CancellationToken ct) =>
        {
            if (Own(http, organization_id) is not { } org) return ApiResults.NotFound("The organization");
            var current = await organizations.GetAsync(org, ct);
            if (!current.IsSuccess) return ApiResults.From(current.Error);
            var deleted = await organizations.DeleteAsync(org, current.Value.Name, ct);
            return deleted.IsSuccess ? ApiResults.Accepted() : ApiResults.From(deleted.Error, new ErrorStyle(ConflictCode: "FAILED_PRECONDITION"));
        }).DocumentedAccepted("delete_organization", "Delete an organization", Tag);
    }

    /// <summary>The caller's own organization when the path names it; anything else looks like a missing organization.</summary>
    private static Guid? Own(HttpContext http, string organizationId)
    {
        var org = http.Caller().OrganizationId;
        return Guid.TryParse(organizationId, out var id) && id == org ? org : null;
    }

    private static OrganizationDto Dto(OrganizationDetails o, DateTime now) =>
        new(o.Id.ToString(), o.Name, WireNames.Plan(o.Plan), o.PaymentStatusAt(now), o.CreatedAt, o.SupportPlan.ToString());
}
