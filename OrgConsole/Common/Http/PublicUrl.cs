using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OrgConsole.Common.Http;

/// <summary>
/// The address people reach the app at, for links in emails: <c>App:PublicUrl</c>. Never the request's Host header —
/// anyone can send any Host, and a reset link pointing at their site would hand them the reset code (SPEC §10).
/// Production refuses to start without it (<see cref="ProductionSettings"/>); on a laptop, with nothing configured,
/// the first address the server listens on stands in.
/// </summary>
public sealed class PublicUrl(IConfiguration configuration, IServer? server = null)
{
    public const string ConfigurationKey = "App:PublicUrl";

    public Uri Base
    {
        get
        {
            if (configuration[ConfigurationKey] is { Length: > 0 } configured) return new Uri(configured.TrimEnd('/') + "/");
            var address = server?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
            return new Uri(address.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://[::]", "://localhost").TrimEnd('/') + "/");
        }
    }

    public string To(string relativePath) => new Uri(Base, relativePath.TrimStart('/')).ToString();
}
