using OrgConsole.Features.Projects;

namespace OrgConsole.AdminApi;

/// <summary>/admin/projects: list, create, fetch, update, delete — through <see cref="ProjectService"/>.</summary>
public static class ProjectsApi
{
    private const string Tag = "Projects";

    public static void MapProjectsApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/projects", async (HttpContext http, ProjectService projects, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var result = await projects.ListAsync(caller.OrganizationId, ct);
            return ApiResults.From(result, list => new ListResponse<ProjectDto>(list.Select(p => Dto(p.Id, p.Name, caller.OrganizationId, p.CreatedAt)).ToList()));
        }).Documented<ListResponse<ProjectDto>>("list_projects", "List projects", Tag);

        admin.MapPost("/projects", async (HttpContext http, ProjectService projects, CancellationToken ct) =>
        {
            var (body, error) = await ApiResults.ReadBodyAsync<CreateProjectRequest>(http.Request, ct);
            if (error is not null) return error;
            if (body!.Name is null) return ApiResults.BadRequest("name is required.");
            if (Unsupported(body.MaxPods, body.ForceEncryptionWithCmek) is { } unsupported) return unsupported;
            var caller = http.Caller();
            var created = await projects.CreateAsync(caller.OrganizationId, body.Name, ct);
            if (!created.IsSuccess) return ApiResults.From(created.Error);
            return await FetchAsync(projects, caller.OrganizationId, created.Value, ct);
        }).Accepts<CreateProjectRequest>("application/json").Documented<ProjectDto>("create_project", "Create a new project", Tag);

        admin.MapGet("/projects/{project_id}", async (string project_id, HttpContext http, ProjectService projects, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(project_id, "project_id", out var id, out var bad)) return bad!;
            return await FetchAsync(projects, http.Caller().OrganizationId, id, ct);
        }).Documented<ProjectDto>("fetch_project", "Get project details", Tag);

        admin.MapPatch("/projects/{project_id}", async (string project_id, HttpContext http, ProjectService projects, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(project_id, "project_id", out var id, out var bad)) return bad!;
            var (body, error) = await ApiResults.ReadBodyAsync<UpdateProjectRequest>(http.Request, ct);
            if (error is not null) return error;
            if (Unsupported(body!.MaxPods, body.ForceEncryptionWithCmek) is { } unsupported) return unsupported;
            var org = http.Caller().OrganizationId;
            if (body.Name is not null)
            {
                var renamed = await projects.RenameAsync(org, id, body.Name, ct);
                if (!renamed.IsSuccess) return ApiResults.From(renamed.Error);
            }
            return await FetchAsync(projects, org, id, ct);
        }).Accepts<UpdateProjectRequest>("application/json").Documented<ProjectDto>("update_project", "Update a project", Tag);

        admin.MapDelete("/projects/{project_id}", async (string project_id, HttpContext http, ProjectService projects, CancellationToken ct) =>
        {
            if (!AdminApiSetup.TryId(project_id, "project_id", out var id, out var bad)) return bad!;
            var org = http.Caller().OrganizationId;
            var project = await projects.GetAsync(org, id, ct);
            if (!project.IsSuccess) return ApiResults.From(project.Error);
            // The API call is the confirmation the console asks people to type.
            var deleted = await projects.DeleteAsync(org, id, project.Value.Name, ct);
            return deleted.IsSuccess ? ApiResults.Accepted() : ApiResults.From(deleted.Error);
        }).DocumentedAccepted("delete_project", "Delete a project", Tag);
    }

    private static async Task<IResult> FetchAsync(ProjectService projects, Guid org, Guid id, CancellationToken ct) =>
        ApiResults.From(await projects.GetAsync(org, id, ct), p => Dto(p.Id, p.Name, p.OrganizationId, p.CreatedAt));

    private static ProjectDto Dto(Guid id, string name, Guid org, DateTime createdAt) => new(id, name, 0, false, org.ToString(), createdAt);

    /// <summary>OrgConsole projects have no pods and no customer-managed keys: asking for them is refused, not ignored.</summary>
    private static IResult? Unsupported(int? maxPods, bool? cmek)
    {
        if (maxPods is < 0) return ApiResults.BadRequest("max_pods must be 0 or more.");
        if (maxPods is > 0) return ApiResults.BadRequest("OrgConsole projects have no pod-based indexes; max_pods can only be 0.");
        if (cmek == true) return ApiResults.BadRequest("OrgConsole does not offer customer-managed encryption keys; force_encryption_with_cmek can only be false.");
        return null;
    }
}
