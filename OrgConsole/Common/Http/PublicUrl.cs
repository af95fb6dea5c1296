using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OrgConsole.Common.Http;

/// <summary>
/// The address people reach the app at, for links in emails: <c>App:PublicUrl</c> when configured (set it behind a
/// proxy), else the current request's host, else the first address the server listens on.
/// </summary>
public sealed class PublicUrl(IConfiguration configuration, IHttpContextAccessor httpContextAccessor, IServer? server = null)
{
    public Uri Base
    {
        get
        {
            if (configuration["App:PublicUrl"] is { Length: > 0 } configured) return new Uri(configured.TrimEnd('/') + "/");
            if (httpContextAccessor.HttpContext?.Request is { Host.HasValue: true } request)
            {
                return new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/");
            }
            var address = server?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
            return new Uri(address.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://[::]", "://localhost").TrimEnd('/') + "/");
        }
    }

    public string To(string relativePath) => new Uri(Base, relativePath.TrimStart('/')).ToString();
}
