namespace OrgConsole.Features.Members;

/// <summary>The members feature's one entry.</summary>
public static class MembersModule
{
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration) => services
        .AddScoped<MemberService>();
}
