using System.Text.Json;

namespace OrgConsole.Tests.Architecture;

/// <summary>
/// Issue 17: runtime settings the app ships in its runtimeconfig.json (set in OrgConsole.csproj), read from the file the
/// build writes beside the app, as the runtime reads it when the app starts.
/// </summary>
public class RuntimeSettingsTests
{
    private static JsonElement ConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "OrgConsole.runtimeconfig.json");
        Assert.True(File.Exists(path), $"The app's runtime config is built beside the tests: {path}");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    /// <summary>
    /// The gen 0 budget is capped at 8 MB: with thousands of circuits a gen 0 pause is mostly the walk of old objects that
    /// point at young ones, and a smaller budget keeps each pause short (27 ms instead of 38 at 2,000 circuits clicking).
    /// </summary>
    [Fact]
    public void TheGen0BudgetIsCapped_SoEachPauseStaysShort()
    {
        Assert.Equal(8 * 1024 * 1024, ConfigProperties().GetProperty("System.GC.Gen0MaxBudget").GetInt64());
    }

    /// <summary>
    /// Thread-pool workers do not spin before they sleep: a console mostly waits for people, so nearly every click wakes
    /// an idle pool, and the spins (up to 70 yields a worker) were a fifth of the server's CPU at 50 circuits clicking.
    /// </summary>
    [Fact]
    public void ThreadPoolWorkers_DoNotSpinBeforeTheySleep()
    {
        Assert.Equal(0, ConfigProperties().GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }
}
