using Microsoft.AspNetCore.Authorization;
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
        await next();
    });
}
