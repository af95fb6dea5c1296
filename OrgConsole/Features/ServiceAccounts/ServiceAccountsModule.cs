namespace OrgConsole.Features.ServiceAccounts;

/// <summary>The service accounts feature's one entry.</summary>
public static class ServiceAccountsModule
{
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration) => services
        .AddScoped<ServiceAccountService>();
}
