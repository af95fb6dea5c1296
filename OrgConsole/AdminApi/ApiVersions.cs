namespace OrgConsole.AdminApi;

/// <summary>One Admin API version OrgConsole serves, and how it differs from the one before it.</summary>
public sealed record ApiVersion(string Name, string Differences);

/// <summary>
/// The Admin API and token endpoint versions, as data (SPEC §7): adding the next is one row here plus its differences.
/// A request names its version in <c>X-Pinecone-Api-Version</c>; without one it gets the oldest supported version, as
/// Pinecone documents. Every response names the version that answered it in the same header.
/// </summary>
public static class ApiVersions
{
    public const string Header = "X-Pinecone-Api-Version";

    /// <summary>Oldest first.</summary>
    public static readonly IReadOnlyList<ApiVersion> Supported =
    [
        new("2026-04", "The first version OrgConsole serves (TypeScript SDK 8.x)."),
        new("2026-07", "Same paths, models and errors as 2026-04 (what TypeScript SDK 9.0.0 sends)."),
    ];

    public static ApiVersion Oldest => Supported[0];

    public static ApiVersion Latest => Supported[^1];

    public static string SupportedList => string.Join(", ", Supported.Select(v => v.Name));

    /// <summary>The version a request asks for: the named one, the oldest when the header is absent, or an error naming the supported ones.</summary>
    public static (ApiVersion? Version, string? Error) Resolve(HttpRequest request)
    {
        var values = request.Headers[Header];
        if (values.Count == 0 || string.IsNullOrWhiteSpace(values.ToString())) return (Oldest, null);
        if (values.Count > 1) return (null, $"Send one {Header} header. Supported: {SupportedList}.");
        var name = values.ToString().Trim();
        return Supported.FirstOrDefault(v => v.Name == name) is { } version
            ? (version, null)
            : (null, $"API version '{WireNames.Truncate(name, 32)}' is not supported. Supported: {SupportedList}.");
    }

    /// <summary>
    /// Resolves the request's version and stamps the response with it. A refused version is answered (in the caller's
    /// error shape) by the oldest version, which the response header then names.
    /// </summary>
    public static string? Negotiate(HttpContext http)
    {
        var (version, error) = Resolve(http.Request);
        http.Response.Headers[Header] = (version ?? Oldest).Name;
        if (version is not null) http.Items[typeof(ApiVersion)] = version;
        return error;
    }
}
