namespace OrgConsole.Features.Invitations;

/// <summary>The invitations feature's one entry.</summary>
public static class InvitationsModule
{
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration) => services
        .AddScoped<InvitationService>();
}
