using Microsoft.AspNetCore.Http.HttpResults;
using OrgConsole.Features.Projects;

namespace OrgConsole.AdminApi;

/// <summary>/admin/projects: list, create, fetch, update, delete — through <see cref="ProjectService"/>.</summary>
public static class ProjectsApi
{

    public static void MapProjectsApi(this RouteGroupBuilder admin) => admin.Operations("Projects")
        .Get("/projects", ListProjectsAsync, "list_projects", "List projects")
        .Post<CreateProjectRequest>("/projects", CreateProjectAsync, "create_project", "Create a new project")
        .Get("/projects/{project_id}", GetProjectAsync, "fetch_project", "Get project details")
        .Patch<UpdateProjectRequest>("/projects/{project_id}", UpdateProjectAsync, "update_project", "Update a project")
        .Delete("/projects/{project_id}", DeleteProjectAsync, "delete_project", "Delete a project");

    public static async Task<Results<Ok<ListResponse<ProjectDto>>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> ListProjectsAsync(
        HttpContext http, ProjectService projects, CancellationToken ct)
    {
        var org = http.Caller().OrganizationId;
        var list = await projects.ListAsync(org, ct);
        if (!list.IsSuccess) return ApiResults.Fail<Ok<ListResponse<ProjectDto>>>(list.Error);
        return TypedResults.Ok(new ListResponse<ProjectDto>(list.Value.Select(p => Dto(p.Id, p.Name, org, p.CreatedAt)).ToList()));
    }

    public static async Task<Results<Ok<ProjectDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> CreateProjectAsync(
        HttpContext http, ProjectService projects, CancellationToken ct)
    {
        var (body, error) = await ApiResults.ReadBodyAsync<CreateProjectRequest>(http.Request, ct);
        if (error is not null) return error;
        if (body!.Name is null) return ApiResults.BadRequest("name is required.");
        if (Unsupported(body.MaxPods, body.ForceEncryptionWithCmek) is { } unsupported) return unsupported;
        var org = http.Caller().OrganizationId;
        var created = await projects.CreateAsync(org, body.Name, ct);
        if (!created.IsSuccess) return ApiResults.Fail<Ok<ProjectDto>>(created.Error);
        return await FetchAsync(projects, org, created.Value, ct);
    }

    public static async Task<Results<Ok<ProjectDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> GetProjectAsync(
        string project_id, HttpContext http, ProjectService projects, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(project_id, "project_id", out var id, out var bad)) return bad!;
        return await FetchAsync(projects, http.Caller().OrganizationId, id, ct);
    }

    public static async Task<Results<Ok<ProjectDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> UpdateProjectAsync(
        string project_id, HttpContext http, ProjectService projects, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(project_id, "project_id", out var id, out var bad)) return bad!;
        var (body, error) = await ApiResults.ReadBodyAsync<UpdateProjectRequest>(http.Request, ct);
        if (error is not null) return error;
        if (Unsupported(body!.MaxPods, body.ForceEncryptionWithCmek) is { } unsupported) return unsupported;
        var org = http.Caller().OrganizationId;
        if (body.Name is not null)
        {
            var renamed = await projects.RenameAsync(org, id, body.Name, ct);
            if (!renamed.IsSuccess) return ApiResults.Fail<Ok<ProjectDto>>(renamed.Error);
        }
        return await FetchAsync(projects, org, id, ct);
    }

    public static async Task<Results<Accepted, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> DeleteProjectAsync(
        string project_id, HttpContext http, ProjectService projects, CancellationToken ct)
    {
        if (!AdminApiSetup.TryId(project_id, "project_id", out var id, out var bad)) return bad!;
        var org = http.Caller().OrganizationId;
        var project = await projects.GetAsync(org, id, ct);
        if (!project.IsSuccess) return ApiResults.Fail<Accepted>(project.Error);
        // The API call is the confirmation the console asks people to type.
        var deleted = await projects.DeleteAsync(org, id, project.Value.Name, ct);
        return deleted.IsSuccess ? TypedResults.Accepted((string?)null) : ApiResults.Fail<Accepted>(deleted.Error);
    }

    private static async Task<Results<Ok<ProjectDto>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> FetchAsync(
        ProjectService projects, Guid org, Guid id, CancellationToken ct)
    {
        var project = await projects.GetAsync(org, id, ct);
        if (!project.IsSuccess) return ApiResults.Fail<Ok<ProjectDto>>(project.Error);
        var p = project.Value;
        return TypedResults.Ok(Dto(p.Id, p.Name, p.OrganizationId, p.CreatedAt));
    }

    private static ProjectDto Dto(Guid id, string name, Guid org, DateTime createdAt) => new(id, name, 0, false, org.ToString(), createdAt);

    /// <summary>OrgConsole projects have no pods and no customer-managed keys: asking for them is refused, not ignored.</summary>
    private static BadRequest<ErrorResponse>? Unsupported(int? maxPods, bool? cmek)
    {
        if (maxPods is < 0) return ApiResults.BadRequest("max_pods must be 0 or more.");
        if (maxPods is > 0) return ApiResults.BadRequest("OrgConsole projects have no pod-based indexes; max_pods can only be 0.");
        if (cmek == true) return ApiResults.BadRequest("OrgConsole does not offer customer-managed encryption keys; force_encryption_with_cmek can only be false.");
        return null;
    }
}
