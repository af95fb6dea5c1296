using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OrgConsole.Data;

namespace OrgConsole.Features.Email;

/// <summary>The email feature's one entry: the transport (SMTP, or the outbox in development), Identity's sender and the outbox reader.</summary>
public static class EmailModule
{
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<EmailOptions>(configuration.GetSection("Email"));
        services.AddSingleton<IEmailTransport>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.UsesOutbox
            ? ActivatorUtilities.CreateInstance<OutboxEmailTransport>(sp)
            : ActivatorUtilities.CreateInstance<SmtpEmailTransport>(sp));
        services.AddSingleton<IEmailSender<ApplicationUser>, IdentityEmailSender>();
        services.AddScoped<OutboxReader>();
        return services;
    }
}
