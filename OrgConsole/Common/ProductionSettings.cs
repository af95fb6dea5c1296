namespace OrgConsole.Common;

/// <summary>
/// The settings a deployment must make on purpose (SPEC §10). Outside Development the app refuses to start while any
/// is missing, and says which — a console that mails reset links to the wrong host, or keeps mail in a table nobody
/// reads, or forgets its keys on redeploy, is worse than one that does not start.
/// </summary>
public static class ProductionSettings
{
    /// <summary>What is missing, one readable line each; empty when the configuration is complete.</summary>
    public static IReadOnlyList<string> Missing(IConfiguration configuration)
    {
        var missing = new List<string>();

        var publicUrl = configuration["App:PublicUrl"];
        if (string.IsNullOrWhiteSpace(publicUrl))
            missing.Add("App:PublicUrl — the address people reach the console at (e.g. https://console.example.com); links in emails are built only from it.");
        else if (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            missing.Add($"App:PublicUrl — '{publicUrl}' is not an absolute http(s) URL.");

        if (string.IsNullOrWhiteSpace(configuration["Email:Smtp:Host"]) && !configuration.GetValue("Email:AllowOutboxInProduction", false))
            missing.Add("Email:Smtp:Host — an SMTP server for invitations and account emails (or set Email:AllowOutboxInProduction=true to keep mail in the database outbox on purpose).");

        if (string.IsNullOrWhiteSpace(configuration["AdminApi:TokenSigningKey"]))
            missing.Add("AdminApi:TokenSigningKey — the key that signs Admin API access tokens (at least 32 random bytes, base64).");

        var store = configuration["DataProtection:Store"];
        var keyRingInDatabase = string.Equals(store, "Database", StringComparison.OrdinalIgnoreCase)
            || (string.IsNullOrEmpty(store) && Data.DatabaseSetup.IsPostgres(configuration));
        if (keyRingInDatabase)
        {
            // The key ring is shared through the database, so the audit chain key cannot sit in a file beside it: it
            // must come from configuration (or a file of its own) to stay out of the database (SPEC §9).
            if (string.IsNullOrWhiteSpace(configuration["Audit:ChainKey"]) && string.IsNullOrWhiteSpace(configuration["Audit:ChainKeyPath"]))
                missing.Add("Audit:ChainKey — the key that seals the audit chain (32+ random bytes, base64), or Audit:ChainKeyPath; with the key ring in the database it cannot be kept beside it.");
        }
        else if (string.IsNullOrWhiteSpace(configuration["DataProtection:KeysPath"]))
            missing.Add("DataProtection:KeysPath — a persistent directory for the Data Protection key ring (sign-in cookies, authenticator keys, SSO secrets).");

        return missing;
    }

    /// <summary>Throws, listing everything missing at once, when a non-Development host lacks a required setting.</summary>
    public static void Demand(IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment()) return;
        var missing = Missing(configuration);
        if (missing.Count == 0) return;
        throw new InvalidOperationException(
            $"OrgConsole cannot start in the {environment.EnvironmentName} environment: these settings are missing or invalid:"
            + Environment.NewLine + string.Join(Environment.NewLine, missing.Select(m => "  - " + m))
            + Environment.NewLine + "See the README's configuration section.");
    }
}
