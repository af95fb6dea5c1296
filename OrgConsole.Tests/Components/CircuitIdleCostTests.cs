using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Components;

/// <summary>
/// Issue 17: what an idle circuit costs. MudBlazor's popover service starts a periodic timer as it is created (once per
/// circuit, open popover or not), and every tick is a thread-pool work item: at its default of 0.5 s that was two wake-ups
/// a second per circuit, 4,000 a second at 2,000 circuits. The app sets it to once every 30 s.
/// </summary>
public sealed class CircuitIdleCostTests : IAsyncLifetime
{
    private readonly RecordingTimeProvider _time = new();
    private AppFactory _app = null!;

    public Task InitializeAsync()
    {
        _app = AppFactory.InMemory(services => services.AddSingleton<TimeProvider>(_time));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task ACircuitsPopoverService_WakesAtMostEveryThirtySeconds()
    {
        _ = _app.Services; // the host is built

        await using (var circuit = _app.Services.CreateAsyncScope())
        {
            _time.Recording.Value = true; // only the timers this resolve creates (not the app's background jobs)
            Assert.NotNull(circuit.ServiceProvider.GetRequiredService<IPopoverService>());
            _time.Recording.Value = false;
        }

        Assert.NotEmpty(_time.Periods); // the popover service's timer was created, through the app's TimeProvider
        Assert.All(_time.Periods, period => Assert.True(period == Timeout.InfiniteTimeSpan || period >= TimeSpan.FromSeconds(30),
            $"a circuit's popover service ticks every {period.TotalSeconds} s"));
    }

    private sealed class RecordingTimeProvider : TimeProvider
    {
        public System.Collections.Concurrent.ConcurrentBag<TimeSpan> Periods { get; } = [];
        public AsyncLocal<bool> Recording { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (Recording.Value) Periods.Add(period);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
