namespace OrgConsole.Features.Organizations;

/// <summary>The organizations feature's one entry: its service, its settings (section "Organizations") and the purge job.</summary>
public static class OrganizationsModule
{
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OrganizationOptions>(configuration.GetSection("Organizations"));
        services.AddScoped<OrganizationService>();
        services.AddHostedService<OrganizationPurgeJob>();
        return services;
    }
}
