using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrgConsole.Data;

namespace OrgConsole.Features.Audit;

/// <summary>The audit trail's one entry: the log, its reader, the chain key, the checkpoint sink and the job that writes to it.</summary>
public static class AuditModule
{
    /// <summary>Settings from section "Audit"; by default the checkpoint file sits beside the SQLite database (another disk is better).</summary>
    public static IServiceCollection Add(IServiceCollection services, IConfiguration configuration) =>
        services.AddAudit(configure: null).AddSingleton<IConfigureOptions<AuditOptions>>(sp => new ConfigureNamedOptions<AuditOptions>(Options.DefaultName, o =>
        {
            var contentRoot = sp.GetService<IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;
            Bind(o, configuration, Path.GetDirectoryName(DatabaseSetup.SqliteFilePath(configuration, contentRoot)) ?? contentRoot);
        }));

    /// <summary>The audit services with options set in code (the members benchmark).</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services, Action<AuditOptions>? configure)
    {
        if (configure is not null) services.Configure(configure);
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

    private static void Bind(AuditOptions options, IConfiguration configuration, string defaultDirectory)
    {
        configuration.GetSection("Audit").Bind(options);
        if (string.IsNullOrWhiteSpace(options.CheckpointPath)) options.CheckpointPath = Path.Combine(defaultDirectory, "audit-checkpoints.log");
        else if (!Path.IsPathRooted(options.CheckpointPath)) options.CheckpointPath = Path.Combine(defaultDirectory, options.CheckpointPath);
    }
}
