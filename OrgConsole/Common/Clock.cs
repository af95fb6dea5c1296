namespace OrgConsole.Common;

public static class TimeProviderExtensions
{
    /// <summary>The current instant as a UTC <see cref="DateTime"/>, the form every timestamp is stored in.</summary>
    public static DateTime UtcNow(this TimeProvider time) => time.GetUtcNow().UtcDateTime;
}
