using System.Net;
using System.Net.Sockets;

namespace OrgConsole.Features.Sso;

/// <summary>Thrown when a provider's host resolves to an address OrgConsole must not connect to.</summary>
public sealed class SsoAddressRefusedException(string host, IPAddress address)
    : IOException($"{host} resolves to {address}, a private, loopback or link-local address. Identity providers must be on public addresses.")
{
    public string Host { get; } = host;
    public IPAddress Address { get; } = address;
}

/// <summary>
/// Every connection to an identity provider (discovery, keys, tokens, UserInfo) goes through this check: the host is
/// resolved and the connection is made to the checked address — so neither the URL nor a DNS answer can point the
/// server at itself or its network ("Test connection" must not be a port scanner). Loopback is allowed only with
/// <see cref="SsoOptions.AllowInsecureLoopback"/> (development and tests).
/// </summary>
public static class SsoOutbound
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public static SocketsHttpHandler CreateHandler(Func<bool> allowLoopback) => new()
    {
        AllowAutoRedirect = false, // a redirect could lead anywhere; providers serve their documents directly
        ConnectTimeout = ConnectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
            if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
            var loopbackAllowed = allowLoopback();
            foreach (var address in addresses)
            {
                if (!IsPublic(address) && !(loopbackAllowed && IPAddress.IsLoopback(address))) throw new SsoAddressRefusedException(host, address);
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>False for loopback, private (RFC 1918, ULA), link-local, CGNAT, unspecified, multicast and other special ranges.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return false;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)   // carrier-grade NAT
                || (b[0] == 169 && b[1] == 254)                 // link-local, cloud metadata
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)));
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal) return false;
            var b = address.GetAddressBytes();
            if (b[0] == 0x00 && b.Take(12).All(x => x == 0)) return false; // ::, IPv4-compatible
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false; // documentation
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) return false; // NAT64 can reach anything
            return true;
        }
        return false;
    }
}
