namespace OrgConsole.Features.Support;

/// <summary>The support console's one entry: its service and settings (section "Support").</summary>
public static class SupportModule
{
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration) => services
        .AddScoped<SupportService>()
        .Configure<SupportOptions>(configuration.GetSection("Support"));
}
