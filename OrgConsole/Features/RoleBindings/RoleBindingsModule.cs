namespace OrgConsole.Features.RoleBindings;

/// <summary>The role bindings feature's one entry.</summary>
public static class RoleBindingsModule
{
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration) => services
        .AddScoped<RoleBindingService>();
}
