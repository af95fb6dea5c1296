using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrgConsole.Common.Http;

/// <summary>One configured limit: so many permits per fixed window (<c>RateLimits:{Name}:PermitLimit</c> and <c>:Window</c>).</summary>
public sealed class RateLimitRule
{
    public int PermitLimit { get; set; }
    public TimeSpan Window { get; set; }

    public FixedWindowRateLimiterOptions ToLimiterOptions(int? permitLimit = null) => new()
    {
        PermitLimit = permitLimit ?? Math.Max(1, PermitLimit),
        Window = Window > TimeSpan.Zero ? Window : TimeSpan.FromMinutes(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}

/// <summary>The limits of SPEC §10, bound from the <c>RateLimits</c> section; the defaults are the documented ones.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Failed password sign-ins from one client address, whatever the account.</summary>
    public RateLimitRule SignInPerAddress { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(5) };

    /// <summary>Failed password sign-ins to one account from one address: the lockout, kept per address so a stranger cannot lock out the owner.</summary>
    public RateLimitRule SignInPerAccountAndAddress { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(15) };

    /// <summary>Failed password sign-ins to one account from all addresses together: a ceiling on distributed guessing.</summary>
    public RateLimitRule SignInPerAccount { get; set; } = new() { PermitLimit = 100, Window = TimeSpan.FromHours(1) };

    public RateLimitRule RegistrationPerAddress { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromHours(1) };
    public RateLimitRule PasswordResetPerAddress { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromHours(1) };
    public RateLimitRule PasswordResetPerEmail { get; set; } = new() { PermitLimit = 3, Window = TimeSpan.FromHours(1) };
    public RateLimitRule TokenPerAddress { get; set; } = new() { PermitLimit = 60, Window = TimeSpan.FromMinutes(1) };
    public RateLimitRule TokenPerClient { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };
    public RateLimitRule UsagePerKey { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };
}

/// <summary>The limits a handler checks itself, because their partition is in the request's form (an email, a client id).</summary>
public enum RateLimit
{
    SignInPerAddress,
    SignInPerAccountAndAddress,
    SignInPerAccount,
    RegistrationPerAddress,
    PasswordResetPerAddress,
    PasswordResetPerEmail,
    TokenPerClient,
}

/// <summary>Whether a request may go on, and when to try again if not.</summary>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static readonly RateLimitDecision Allow = new(true, TimeSpan.Zero);

    /// <summary>Whole seconds for the <c>Retry-After</c> header, at least one.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));

    /// <summary>"3 minutes", "40 seconds": for the pages' message.</summary>
    public string RetryAfterText => RetryAfter.TotalSeconds >= 90
        ? $"{(int)Math.Ceiling(RetryAfter.TotalMinutes)} minutes"
        : $"{RetryAfterSeconds} seconds";

    /// <summary>Marks the response 429 with <c>Retry-After</c> (pages still render their message).</summary>
    public void Apply(HttpResponse response)
    {
        if (response.HasStarted) return;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// The partitioned limiters (System.Threading.RateLimiting, fixed windows) for the checks a handler makes itself, held once
/// for the app. Over the limit, the request is refused before any work or audit write; one log event per partition and window.
/// </summary>
public sealed class RateLimiters : IDisposable
{
    private readonly Dictionary<RateLimit, PartitionedRateLimiter<string>> _limiters;
    private readonly Dictionary<RateLimit, PartitionedRateLimiter<string>> _logGates;
    private readonly ILogger _logger;

    public RateLimiters(IOptions<RateLimitOptions> options, ILoggerFactory loggers)
    {
        _logger = loggers.CreateLogger(SecurityLog.Category);
        var o = options.Value;
        var rules = new Dictionary<RateLimit, RateLimitRule>
        {
            [RateLimit.SignInPerAddress] = o.SignInPerAddress,
            [RateLimit.SignInPerAccountAndAddress] = o.SignInPerAccountAndAddress,
            [RateLimit.SignInPerAccount] = o.SignInPerAccount,
            [RateLimit.RegistrationPerAddress] = o.RegistrationPerAddress,
            [RateLimit.PasswordResetPerAddress] = o.PasswordResetPerAddress,
            [RateLimit.PasswordResetPerEmail] = o.PasswordResetPerEmail,
            [RateLimit.TokenPerClient] = o.TokenPerClient,
        };
        _limiters = rules.ToDictionary(r => r.Key, r => Partitioned(r.Value.ToLimiterOptions()));
        _logGates = rules.ToDictionary(r => r.Key, r => Partitioned(r.Value.ToLimiterOptions(permitLimit: 1)));
    }

    private static PartitionedRateLimiter<string> Partitioned(FixedWindowRateLimiterOptions options) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => options));

    /// <summary>Takes one permit from each limit in turn; the first refusal wins (permits already taken stay taken, as attempts).</summary>
    public RateLimitDecision TryAcquire(params ReadOnlySpan<(RateLimit Limit, string? Key)> checks) => Acquire(checks, permits: 1);

    /// <summary>
    /// Whether each limit still has a permit, taking none: for limits that count failures (sign-in), which the handler
    /// records with <see cref="CountFailure"/> once it knows the outcome.
    /// </summary>
    public RateLimitDecision Check(params ReadOnlySpan<(RateLimit Limit, string? Key)> checks) => Acquire(checks, permits: 0);

    /// <summary>Takes one permit from each limit: a failed attempt, counted after the fact.</summary>
    public void CountFailure(params ReadOnlySpan<(RateLimit Limit, string? Key)> checks)
    {
        foreach (var (limit, key) in checks)
        {
            using var lease = _limiters[limit].AttemptAcquire(Partition(key));
        }
    }

    private RateLimitDecision Acquire(ReadOnlySpan<(RateLimit Limit, string? Key)> checks, int permits)
    {
        foreach (var (limit, key) in checks)
        {
            var partition = Partition(key);
            using var lease = _limiters[limit].AttemptAcquire(partition, permits);
            if (lease.IsAcquired) continue;
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            using var logLease = _logGates[limit].AttemptAcquire(partition);
            if (logLease.IsAcquired) SecurityLog.RateLimited(_logger, limit.ToString(), retryAfter);
            return new RateLimitDecision(false, retryAfter);
        }
        return RateLimitDecision.Allow;
    }

    /// <summary>The client's address as a partition key ("unknown" when the server does not know it).</summary>
    public static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Partition keys are hashed and case-folded: the limiters keep no emails, client ids or keys in clear.</summary>
    private static string Partition(string? key) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes((key ?? "").Trim().ToUpperInvariant())));

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values.Concat(_logGates.Values)) limiter.Dispose();
    }
}

public static class RateLimitSetup
{
    /// <summary>Middleware policy: <c>POST /oauth/token</c> per client address.</summary>
    public const string TokenPerAddress = "token-per-address";

    /// <summary>Middleware policy: <c>POST /api/usage</c> per presented key.</summary>
    public const string UsagePerKey = "usage-per-key";

    public static IServiceCollection AddRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.Section));
        services.AddSingleton<RateLimiters>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(TokenPerAddress, http =>
                RateLimitPartition.GetFixedWindowLimiter(RateLimiters.Address(http), _ => limits.Value.TokenPerAddress.ToLimiterOptions()));
            limiter.AddPolicy(UsagePerKey, http =>
                RateLimitPartition.GetFixedWindowLimiter(HashOf(http.Request.Headers.Authorization.ToString()), _ => limits.Value.UsagePerKey.ToLimiterOptions()));
            limiter.OnRejected = async (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var decision = new RateLimitDecision(false, retryAfter);
                decision.Apply(context.HttpContext.Response);
                var message = $"Too many requests. Try again in {decision.RetryAfterSeconds} seconds.";
                var shape = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<ErrorShape>();
                var result = shape?.Write(PipelineFailure.TooManyRequests, message)
                             ?? Results.Text(message, statusCode: StatusCodes.Status429TooManyRequests);
                await result.ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    private static string HashOf(string value) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
