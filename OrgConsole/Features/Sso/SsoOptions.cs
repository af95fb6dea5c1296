namespace OrgConsole.Features.Sso;

/// <summary>The <c>Sso</c> configuration section.</summary>
public sealed class SsoOptions
{
    public const string Section = "Sso";

    /// <summary>
    /// Name servers asked for domain verification records, as <c>address</c> or <c>address:port</c>
    /// (e.g. <c>1.1.1.1</c>). Empty: the machine's own resolvers.
    /// </summary>
    public List<string> DnsServers { get; set; } = [];

    /// <summary>How long one DNS query may take before the lookup counts as failed (not as a missing record).</summary>
    public int DnsTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Development only: lets "Test connection" and sign-in reach a provider over plain http on this machine
    /// (127.0.0.1, ::1, localhost). Off by default: then providers must be https on public addresses.
    /// </summary>
    public bool AllowInsecureLoopback { get; set; }
}
