using OrgConsole.Features.Members;

namespace OrgConsole;

/// <summary>Command-line verbs of the app (<c>dotnet run --project OrgConsole -- VERB ...</c>); without one, the web app starts.</summary>
public static class Commands
{
    public static async Task<int?> TryRunAsync(string[] args)
    {
        if (args.Length == 0) return null;
        return (args[0], args.ElementAtOrDefault(1)) switch
        {
            ("benchmark", "members") => await MembersBenchmark.RunAsync(args, Console.Out),
            ("benchmark", "api") => await OrgConsole.Benchmarks.ApiBenchmark.RunAsync(args, Console.Out),
            ("benchmark", _) => Usage("benchmark members [--members N] [--iterations N] [--show-sql] [--keep]  |  benchmark api [--connections N] [--seconds N] [--projects N]"),
            ("support", _) => await OrgConsole.Features.Support.SupportStaffCommand.RunAsync(args, Console.Out),
            _ => null,
        };
    }

    private static int Usage(string usage)
    {
        Console.Error.WriteLine($"usage: dotnet run --project OrgConsole -c Release -- {usage}");
        return 2;
    }
}
