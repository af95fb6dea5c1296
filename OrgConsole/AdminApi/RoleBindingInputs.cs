using Microsoft.AspNetCore.Http.HttpResults;
using OrgConsole.Access;

namespace OrgConsole.AdminApi;

public sealed record ParsedBinding(Guid? ProjectId, Role Role);

/// <summary>Why a binding's input was refused: a malformed field (400), or another organization's id (404, like any foreign id).</summary>
public sealed record InputError(BadRequest<ErrorResponse>? Invalid = null, NotFound<ErrorResponse>? Missing = null);

/// <summary>Reads <c>RoleBindingInput</c>s (create_invite, create_service_account): scope, project id and role, each checked.</summary>
public static class RoleBindingInputs
{
    public static (List<ParsedBinding>? Bindings, InputError? Error) Parse(IReadOnlyList<RoleBindingInput?> inputs, Guid organizationId, IReadOnlyList<Role> allowed)
    {
        var parsed = new List<ParsedBinding>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (input is null) return (null, new InputError(ApiResults.BadRequest($"role_bindings[{i}] must be an object.")));
            var (projectId, scopeError) = Scope(input.ResourceType, input.ResourceId, organizationId, $"role_bindings[{i}]");
            if (scopeError is not null) return (null, scopeError);
            var scoped = allowed.Where(r => (Roles.ScopeOf(r) == RoleScope.Organization) == (projectId is null)).ToList();
            if (WireNames.ParseRole(input.Role, scoped, out var message) is not { } role)
            {
                return (null, new InputError(ApiResults.BadRequest($"role_bindings[{i}].role: {message}")));
            }
            parsed.Add(new ParsedBinding(projectId, role));
        }
        return (parsed, null);
    }

    /// <summary>
    /// resource_type organization (resource_id omitted, or the caller's organization id) or project (resource_id a project UUID).
    /// A foreign organization id is a 404, like any id of another organization.
    /// </summary>
    public static (Guid? ProjectId, InputError? Error) Scope(string? resourceType, string? resourceId, Guid organizationId, string where)
    {
        switch (resourceType)
        {
            case "organization":
                if (resourceId is null) return (null, null);
                return Guid.TryParse(resourceId, out var org) && org == organizationId ? (null, null) : (null, new InputError(Missing: ApiResults.NotFound("The organization")));
            case "project":
                if (resourceId is null) return (null, Invalid($"{where}.resource_id is required for resource_type project."));
                return Guid.TryParse(resourceId, out var project) ? (project, null) : (null, Invalid($"{where}.resource_id must be a project UUID."));
            case null:
                return (null, Invalid($"{where}.resource_type is required: organization or project."));
            default:
                return (null, Invalid($"{where}.resource_type must be organization or project."));
        }
    }

    private static InputError Invalid(string message) => new(ApiResults.BadRequest(message));
}
