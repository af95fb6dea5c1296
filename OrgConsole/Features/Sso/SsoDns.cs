using System.Net;
using DnsClient;
using Microsoft.Extensions.Options;

namespace OrgConsole.Features.Sso;

/// <summary>What a TXT lookup found. <see cref="Failed"/> (timeout, server failure) says nothing about the record.</summary>
public enum TxtLookupOutcome
{
    Found,
    NoRecord,
    Failed,
}

public sealed record TxtLookup(TxtLookupOutcome Outcome, IReadOnlyList<string> Values, string? Problem = null);

/// <summary>Looks up TXT records with DnsClient, asking the configured name servers (<see cref="SsoOptions.DnsServers"/>).</summary>
public sealed class SsoDns(IOptions<SsoOptions> options, ILogger<SsoDns> logger)
{
    public async Task<TxtLookup> LookupTxtAsync(string name, CancellationToken ct = default)
    {
        var settings = options.Value;
        var servers = settings.DnsServers.Select(ParseServer).ToArray();
        var lookupOptions = servers.Length > 0 ? new LookupClientOptions(servers) : new LookupClientOptions();
        lookupOptions.UseCache = false; // a record just published, or just removed, must be seen as it is now
        lookupOptions.Timeout = TimeSpan.FromSeconds(Math.Max(1, settings.DnsTimeoutSeconds));
        lookupOptions.Retries = 1;
        lookupOptions.ThrowDnsErrors = false;
        lookupOptions.ContinueOnDnsError = false;
        lookupOptions.UseTcpFallback = true;
        var client = new LookupClient(lookupOptions);
        try
        {
            var response = await client.QueryAsync(name, QueryType.TXT, QueryClass.IN, ct);
            if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain) return new(TxtLookupOutcome.NoRecord, []);
            if (response.HasError)
            {
                logger.LogWarning("DNS lookup of {Name} TXT failed: {Error}", name, response.ErrorMessage);
                return new(TxtLookupOutcome.Failed, [], response.ErrorMessage);
            }
            var values = response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).ToList();
            return new(values.Count > 0 ? TxtLookupOutcome.Found : TxtLookupOutcome.NoRecord, values);
        }
        catch (DnsResponseException e)
        {
            logger.LogWarning(e, "DNS lookup of {Name} TXT failed", name);
            return new(TxtLookupOutcome.Failed, [], e.Message);
        }
    }

    private static IPEndPoint ParseServer(string value)
    {
        var text = value.Trim();
        if (IPAddress.TryParse(text, out var address)) return new IPEndPoint(address, 53);
        if (IPEndPoint.TryParse(text, out var endPoint)) return endPoint;
        throw new InvalidOperationException($"Sso:DnsServers: “{value}” is not an IP address or address:port.");
    }
}
