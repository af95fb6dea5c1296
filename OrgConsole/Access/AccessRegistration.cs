using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace OrgConsole.Access;

public static class AccessRegistration
{
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<ActorAccessor>();
        services.AddScoped<CircuitHandler, ActorCircuitHandler>();
        services.AddScoped<Authorizer>();
        services.AddSingleton<IAuthorizationPolicyProvider, PermissionPolicyProvider>();
        services.AddScoped<IAuthorizationHandler, PermissionHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, NotFoundWhenPermissionMissing>();
        return services;
    }

    /// <summary>Sets the actor of each HTTP request (pages while prerendering, endpoints) from its signed-in user.</summary>
    public static IApplicationBuilder UseActor(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var accessor = context.RequestServices.GetRequiredService<ActorAccessor>();
        if (accessor.Current.Type == ActorType.Anonymous)
        {
            accessor.Current = Actor.FromPrincipal(context.User, context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.ToString());
        }
        if (IsPageRender(context)) context.RequestServices.GetRequiredService<Authorizer>().RememberWithinThisRequest();
        await next();
    });

    /// <summary>A GET (or HEAD) of a Razor component page: one render that reads and never writes roles.</summary>
    private static bool IsPageRender(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is not null;
}
