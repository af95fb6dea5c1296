using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrgConsole.Features.Audit;

public static class AuditSetup
{
    /// <summary>The audit trail: the log, its reader, the chain key, the checkpoint sink and the job that writes to it.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services, Action<AuditOptions> configure)
    {
        services.Configure(configure);
        services.TryAddSingleton(sp => AuditChainKey.Load(sp.GetRequiredService<IOptions<AuditOptions>>().Value,
            sp.GetRequiredService<IDataProtectionProvider>(), sp.GetRequiredService<IOptions<KeyManagementOptions>>().Value));
        services.TryAddSingleton<IAuditCheckpointSink, FileAuditCheckpointSink>();
        services.AddSingleton<AuditCheckpointLog>();
        services.AddSingleton<AuditBatchWriter>();
        services.AddScoped<AuditLog>();
        services.AddScoped<AuditQueryService>();
        services.AddScoped<AuditCheckpoints>();
        services.AddHostedService<AuditCheckpointJob>();
        return services;
    }

    /// <summary>Binds section "Audit"; by default the checkpoint file sits beside the SQLite database (another disk is better).</summary>
    public static void Bind(AuditOptions options, IConfiguration configuration, string defaultDirectory)
    {
        configuration.GetSection("Audit").Bind(options);
        if (string.IsNullOrWhiteSpace(options.CheckpointPath)) options.CheckpointPath = Path.Combine(defaultDirectory, "audit-checkpoints.log");
        else if (!Path.IsPathRooted(options.CheckpointPath)) options.CheckpointPath = Path.Combine(defaultDirectory, options.CheckpointPath);
    }
}
