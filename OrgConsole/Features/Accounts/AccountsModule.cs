namespace OrgConsole.Features.Accounts;

/// <summary>The accounts feature's one entry: the signed-in person's own account (preferences, deletion, notices).</summary>
public static class AccountsModule
{
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration) => services
        .AddScoped<AccountPreferences>()
        .AddScoped<AccountService>()
        .AddScoped<AccountNotices>();
}
