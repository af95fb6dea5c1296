using OrgConsole;

if (await Commands.TryRunAsync(args) is { } exitCode) return exitCode;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddOrgConsole(builder.Configuration, builder.Environment);

var app = builder.Build();

await app.PrepareDatabaseAsync();
app.UseOrgConsole();

app.Run();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
