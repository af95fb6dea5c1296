using System.Globalization;
using System.Net;
using OrgConsole.Access;
using OrgConsole.Common;

namespace OrgConsole.Features.Sso;

/// <summary>What valid SSO settings look like. Pure functions, shared by the service and the page.</summary>
public static class SsoRules
{
    public const int IssuerMaxLength = 500;
    public const int ClientIdMaxLength = 200;
    public const int ClientSecretMaxLength = 500;
    public const int MaxDomains = 50;

    public static readonly IReadOnlyList<Role> DefaultRoles = [Role.OrgMember, Role.OrgBillingAdmin];

    /// <summary>An absolute https URL without query or fragment; plain http only on this machine, and only when allowed (a provider in development).</summary>
    public static Result<Uri> ValidateIssuer(string? value, bool allowInsecureLoopback)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text)) return Error.Validation("Issuer", "Enter the identity provider's issuer URL.");
        if (text.Length > IssuerMaxLength) return Error.Validation("Issuer", $"The issuer URL can be at most {IssuerMaxLength} characters.");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return Error.Validation("Issuer", "Enter a full URL such as https://login.example.com/.");
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !(allowInsecureLoopback && uri.IsLoopback))
        {
            return Error.Validation("Issuer", allowInsecureLoopback
                ? "The issuer URL must use https (plain http is allowed only for a provider on this machine)."
                : "The issuer URL must use https.");
        }
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return Error.Validation("Issuer", "The issuer URL cannot contain a query, a fragment or credentials.");
        }
        return uri;
    }

    /// <summary>The discovery document's address: the issuer plus <c>/.well-known/openid-configuration</c> (OpenID Connect Discovery §4).</summary>
    public static Uri DiscoveryAddress(Uri issuer) => new(issuer.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration");

    /// <summary>Issuers are compared exactly, except for a trailing slash that people add or leave out.</summary>
    public static bool SameIssuer(string? a, string? b) =>
        a is not null && b is not null && string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.Ordinal);

    /// <summary>Parses domains separated by commas, spaces or new lines into their lower-case ASCII form.</summary>
    public static Result<IReadOnlyList<string>> ValidateDomains(string? value)
    {
        var parts = (value ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) return Error.Validation("Domains", "Enter at least one email domain, such as example.com.");
        var domains = new List<string>();
        var bad = new List<string>();
        foreach (var part in parts)
        {
            if (NormalizeDomain(part) is not { } domain)
            {
                if (!bad.Contains(part)) bad.Add(part);
                continue;
            }
            if (!domains.Contains(domain)) domains.Add(domain);
        }
        if (bad.Count > 0)
        {
            // Every bad entry at once, not the first of them.
            return Error.Validation("Domains", $"{string.Join(", ", bad.Take(10).Select(b => $"“{b}”"))}{(bad.Count > 10 ? $" and {bad.Count - 10} more" : "")} "
                + $"{(bad.Count == 1 ? "is not a domain name" : "are not domain names")}. Enter domains such as example.com, without @ or https://.");
        }
        if (domains.Count > MaxDomains) return Error.Validation("Domains", $"At most {MaxDomains} domains.");
        return domains;
    }

    /// <summary>The domain in lower-case ASCII, or null when it is not a valid host name with at least two labels.</summary>
    public static string? NormalizeDomain(string? value)
    {
        var text = value?.Trim().TrimEnd('.');
        if (string.IsNullOrEmpty(text) || text.Contains('@') || text.Contains("://")) return null;
        string ascii;
        try
        {
            ascii = new IdnMapping().GetAscii(text).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
        if (ascii.Length > 253 || IPAddress.TryParse(ascii, out _)) return null;
        var labels = ascii.Split('.');
        if (labels.Length < 2) return null;
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return null;
            if (!label.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-')) return null;
        }
        var tld = labels[^1];
        return tld.All(char.IsAsciiLetter) || tld.StartsWith("xn--", StringComparison.Ordinal) ? ascii : null;
    }

    /// <summary>The domain of an email address, normalized, or null.</summary>
    public static string? DomainOf(string? email)
    {
        var at = email?.LastIndexOf('@') ?? -1;
        return at > 0 && at < email!.Length - 1 ? NormalizeDomain(email[(at + 1)..]) : null;
    }

    /// <summary>The DNS name of a domain's verification record (SPEC §6).</summary>
    public static string ChallengeName(string domain) => "_orgconsole-challenge." + domain;

    /// <summary>The TXT value that proves a claim.</summary>
    public static string ChallengeValue(string token) => "orgconsole-verification=" + token;

    public static string NewVerificationToken() => Secrets.RandomBase32(20).ToLowerInvariant();

    public static string SecretHint(string last4) => "••••" + last4;

    public const int ClientSecretMinLength = 8;

    public static string Last4(string secret) => secret[^4..];
}
