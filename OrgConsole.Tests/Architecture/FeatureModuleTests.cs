using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Architecture;

/// <summary>A feature is a module: one entry registers its services, and each feature maps its own rows.</summary>
public sealed class FeatureModuleTests
{
    private static readonly Type[] FeatureTypes = typeof(OrgConsoleSetup).Assembly.GetTypes()
        .Where(t => t.Namespace?.StartsWith("OrgConsole.Features.", StringComparison.Ordinal) == true).ToArray();

    public static TheoryData<string> FeatureServices() =>
        [.. FeatureTypes.Where(t => t is { IsPublic: true, IsClass: true, IsAbstract: false } && t.Name.EndsWith("Service", StringComparison.Ordinal)).Select(t => t.FullName!)];

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(FeatureServices))]
    public async Task EveryFeatureService_IsRegisteredByTheModules_TheTestsUseToo(string serviceType)
    {
        await using var db = await TestDb.CreateAsync();
        await using var scope = db.As(null);

        var service = scope.ServiceProvider.GetService(typeof(OrgConsoleSetup).Assembly.GetType(serviceType, throwOnError: true)!);

        Assert.NotNull(service);
    }

    [Fact]
    public void EveryFeatureWithAService_HasOneModuleEntry()
    {
        var features = FeatureTypes.Where(t => t.Name.EndsWith("Service", StringComparison.Ordinal) && t.IsPublic)
            .Select(t => t.Namespace!).Distinct().ToList();
        Assert.NotEmpty(features);
        foreach (var feature in features)
        {
            var modules = FeatureTypes.Where(t => t.Namespace == feature && t.Name.EndsWith("Module", StringComparison.Ordinal)).ToList();
            var module = Assert.Single(modules);
            Assert.NotNull(module.GetMethod("Add", [typeof(IServiceCollection), typeof(IConfiguration)]));
        }
    }

    [Fact]
    public void NoFeatureIsMappedInline_ByTheDbContext()
    {
        // Each feature's rows are mapped by IEntityTypeConfiguration classes beside its entities, applied from the assembly.
        var mapped = typeof(OrgConsoleSetup).Assembly.GetTypes()
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEntityTypeConfiguration<>)))
            .Select(t => t.GetInterfaces().Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEntityTypeConfiguration<>)).GetGenericArguments()[0])
            .ToHashSet();
        var tables = typeof(ApplicationDbContext).GetProperties()
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(DbSet<>))
            .Select(p => p.PropertyType.GetGenericArguments()[0])
            .Where(t => t.Namespace?.StartsWith("OrgConsole.", StringComparison.Ordinal) == true && t.Namespace != "OrgConsole.Data"); // Data: Identity's user, mapped by the context

        Assert.All(tables, t => Assert.Contains(t, mapped));
    }

    [Fact(Timeout = 30_000)]
    public async Task TheSqliteModel_IsTheOneItsMigrationsBuild()
    {
        await using var db = await TestDb.CreateAsync();
        await using var context = await db.DbFactory.CreateDbContextAsync();

        Assert.False(context.Database.HasPendingModelChanges());
    }

    [Fact(Timeout = 30_000)]
    public async Task ThePostgresModel_IsTheOneItsMigrationsBuild()
    {
        // Through the same registrations (Identity's options are part of the model); building the model needs no server.
        var services = new ServiceCollection();
        TestDb.Register(services, "Host=127.0.0.1;Database=orgconsole_model_check", TimeProvider.System, DatabaseSetup.PostgresProvider);
        await using var provider = services.BuildServiceProvider();
        await using var context = await provider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();

        Assert.IsType<PostgresDbContext>(context);
        Assert.False(context.Database.HasPendingModelChanges());
    }
}
