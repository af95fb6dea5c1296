namespace OrgConsole.Features.Projects;

/// <summary>The projects feature's one entry.</summary>
public static class ProjectsModule
{
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration) => services
        .AddScoped<ProjectService>()
        .AddScoped<ProjectMemberService>();
}
