namespace OrgConsole.Tests.TestSupport;

/// <summary>One app on real Kestrel shared by the tests of a class (xunit class fixture).</summary>
public sealed class KestrelAppFixture : IAsyncLifetime
{
    public AppFactory App { get; private set; } = default!;

    public Uri BaseAddress => App.BaseAddress;

    public Task InitializeAsync()
    {
        App = AppFactory.OnKestrel();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}
