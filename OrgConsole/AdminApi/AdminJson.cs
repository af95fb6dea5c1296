using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrgConsole.AdminApi;

/// <summary>The Admin API's JSON: snake_case, strict types, unknown or repeated fields refused, nulls omitted.</summary>
public static class AdminJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.PropertyNameCaseInsensitive = false;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.AllowDuplicateProperties = false;
        options.MaxDepth = 16;
        return options;
    }
}
