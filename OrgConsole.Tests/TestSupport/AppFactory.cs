using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace OrgConsole.Tests.TestSupport;

/// <summary>
/// The real app with its own throw-away SQLite file, in the Development environment with the demo seed.
/// In-memory by default (TestServer); <see cref="OnKestrel"/> runs it on a free loopback port for a real browser.
/// </summary>
public sealed class AppFactory : WebApplicationFactory<Program>
{
    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"orgconsole-test-{Guid.NewGuid():N}.db");

    /// <summary>The PostgreSQL database of a PostgreSQL variant (<see cref="TestProvider"/>), else null.</summary>
    private readonly string? _postgres = TestProvider.IsPostgres ? TestProvider.CreatePostgresDatabaseAsync().GetAwaiter().GetResult() : null;
    private readonly int? _port;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly Action<IServiceCollection>? _configureServices;

    private AppFactory(int? port, IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        _port = port;
        _settings = settings ?? new Dictionary<string, string>();
        _configureServices = configureServices;
        if (port is { } p)
        {
            // Bind exactly 127.0.0.1:p so the base address (and every Origin the browser sends) is known in advance.
            this.UseKestrel(options => options.Listen(IPAddress.Loopback, p));
        }
    }

    /// <summary>An in-memory server (TestServer): fast, for HTTP tests.</summary>
    public static AppFactory InMemory() => new(port: null);

    /// <summary>An in-memory server with extra configuration (e.g. an SMTP server to send to).</summary>
    public static AppFactory InMemory(IReadOnlyDictionary<string, string> settings) => new(port: null, settings);

    /// <summary>An in-memory server whose services the test replaces (e.g. a fake <see cref="TimeProvider"/>).</summary>
    public static AppFactory InMemory(Action<IServiceCollection> configureServices) => new(port: null, configureServices: configureServices);

    /// <summary>An in-memory server with extra configuration and replaced services.</summary>
    public static AppFactory InMemory(IReadOnlyDictionary<string, string> settings, Action<IServiceCollection> configureServices) =>
        new(port: null, settings, configureServices);

    /// <summary>Real Kestrel on a free loopback port, already started; browse to <see cref="BaseAddress"/>.</summary>
    public static AppFactory OnKestrel()
    {
        var factory = new AppFactory(FreeLoopbackPort());
        factory.StartServer();
        return factory;
    }

    /// <summary>Real Kestrel with extra configuration (e.g. a reverse proxy in front of it), already started.</summary>
    public static AppFactory OnKestrel(IReadOnlyDictionary<string, string> settings)
    {
        var factory = new AppFactory(FreeLoopbackPort(), settings);
        factory.StartServer();
        return factory;
    }

    /// <summary>Real Kestrel whose services the test extends (e.g. a logger provider that captures), already started.</summary>
    public static AppFactory OnKestrel(Action<IServiceCollection> configureServices)
    {
        var factory = new AppFactory(FreeLoopbackPort(), configureServices: configureServices);
        factory.StartServer();
        return factory;
    }

    public bool UsesKestrel => _port is not null;

    /// <summary>Where the app answers: http://127.0.0.1:port/ on Kestrel, http://localhost/ in memory.</summary>
    public Uri BaseAddress => _port is { } p ? new Uri($"http://127.0.0.1:{p}/") : ClientOptions.BaseAddress;

    public string DatabasePath => _databasePath;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        // Host settings reach WebApplication.CreateBuilder before Program reads its configuration.
        builder.UseSetting("ConnectionStrings:OrgConsole", _postgres ?? $"Data Source={_databasePath}");
        if (_postgres is not null) builder.UseSetting("Database:Provider", "Postgres");
        builder.UseSetting("Seed:Demo", "true");
        builder.UseSetting("Audit:CheckpointPath", _databasePath + ".checkpoints");
        // With the key ring in the database the chain key cannot live beside it: as in production, configuration gives it.
        if (_postgres is not null || (_settings.TryGetValue("Database:Provider", out var provider) && provider == "Postgres"))
            builder.UseSetting("Audit:ChainKey", TestDb.ChainKey);
        builder.UseSetting("Email:Smtp:Host", "");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (_configureServices is not null) builder.ConfigureTestServices(_configureServices);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) DeleteDatabase();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        DeleteDatabase();
    }

    // Called twice on DisposeAsync (the base class calls Dispose(true) too): harmless, as each PostgreSQL hand-out is given
    // back once (TestProvider ignores the second) and deleting the SQLite files again finds nothing.
    private void DeleteDatabase()
    {
        if (_postgres is not null)
        {
            TestProvider.ReleasePostgresDatabaseAsync(_postgres).GetAwaiter().GetResult();
            return;
        }
        // Pooled connections keep the file open; release them before deleting the file and its WAL companions.
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _databasePath, _databasePath + "-wal", _databasePath + "-shm", _databasePath + ".checkpoints" })
        {
            try { File.Delete(path); }
            catch (IOException) { /* best effort: a temp file left behind must not fail a test */ }
        }
    }
}
