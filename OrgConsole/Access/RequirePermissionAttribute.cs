using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace OrgConsole.Access;

/// <summary>
/// Guards a page (or endpoint) whose route has an <c>{OrgId:guid}</c> parameter with one permission from the
/// role table. The page still calls a service, which demands the same permission again.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class RequirePermissionAttribute(Permission permission) : AuthorizeAttribute(PolicyPrefix + permission)
{
    public const string PolicyPrefix = "Permission:";

    public Permission Permission { get; } = permission;
}

public sealed record PermissionRequirement(Permission Permission) : IAuthorizationRequirement;

/// <summary>Builds the "Permission:X" policies on demand.</summary>
public sealed class PermissionPolicyProvider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
{
    public override async Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        if (policyName.StartsWith(RequirePermissionAttribute.PolicyPrefix, StringComparison.Ordinal)
            && Enum.TryParse<Permission>(policyName[RequirePermissionAttribute.PolicyPrefix.Length..], out var permission))
        {
            return new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)).Build();
        }
        return await base.GetPolicyAsync(policyName);
    }
}

/// <summary>Answers a permission requirement with the same <see cref="Authorizer"/> the services use.</summary>
public sealed class PermissionHandler(Authorizer authorizer) : AuthorizationHandler<PermissionRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        var routeValues = context.Resource switch
        {
            Microsoft.AspNetCore.Components.RouteData routeData => routeData.RouteValues,
            HttpContext http => http.Request.RouteValues,
            _ => null,
        };
        if (routeValues is null || !routeValues.TryGetValue("OrgId", out var raw)) return;
        if (!TryGuid(raw, out var orgId)) return;

        Guid? projectId = routeValues.TryGetValue("ProjectId", out var rawProject) && TryGuid(rawProject, out var p) ? p : null;
        var allowed = RolePermissions.IsProjectPermission(requirement.Permission)
            ? projectId is { } pid && (await authorizer.GetProjectAccessAsync(orgId, pid))?.Can(requirement.Permission) == true
            : (await authorizer.GetAccessAsync(orgId))?.Can(requirement.Permission) == true;
        if (allowed) context.Succeed(requirement);
    }

    private static bool TryGuid(object? value, out Guid id)
    {
        switch (value)
        {
            case Guid g: id = g; return true;
            case string s when Guid.TryParse(s, out var parsed): id = parsed; return true;
            default: id = default; return false;
        }
    }
}

/// <summary>
/// A signed-in person who lacks a page's permission gets 404, not 403: an organization they do not belong to
/// must look exactly like one that does not exist (SPEC §1.3).
/// </summary>
public sealed class NotFoundWhenPermissionMissing : Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler
{
    private readonly Microsoft.AspNetCore.Authorization.Policy.AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy,
        Microsoft.AspNetCore.Authorization.Policy.PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && policy.Requirements.OfType<PermissionRequirement>().Any())
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
