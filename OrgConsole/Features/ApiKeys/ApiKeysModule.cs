namespace OrgConsole.Features.ApiKeys;

/// <summary>The API keys feature's one entry: its service and the key-check endpoint.</summary>
public static class ApiKeysModule
{
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration) => services
        .AddScoped<ApiKeyService>();

    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder endpoints) => endpoints.MapApiKeyCheck();
}
