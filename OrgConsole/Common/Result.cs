using System.Diagnostics.CodeAnalysis;

namespace OrgConsole.Common;

/// <summary>The kinds of failure a feature service reports. Exceptions are reserved for bugs.</summary>
public enum ErrorKind
{
    Validation,
    NotFound,
    Forbidden,
    Conflict,
    Quota,
}

public sealed record Error(ErrorKind Kind, string Message, IReadOnlyDictionary<string, string>? Fields = null)
{
    public static Error NotFound(string what = "The resource") => new(ErrorKind.NotFound, $"{what} was not found.");
    public static Error Forbidden(string message) => new(ErrorKind.Forbidden, message);
    public static Error Conflict(string message) => new(ErrorKind.Conflict, message);
    public static Error Quota(string message) => new(ErrorKind.Quota, message);
    public static Error Validation(string field, string message) =>
        new(ErrorKind.Validation, message, new Dictionary<string, string> { [field] = message });

    /// <summary>The message of a write that lost a race on a concurrency token.</summary>
    public const string ConcurrentChangeMessage = "Someone else changed this at the same time. Reload and try again.";

    /// <summary>A write lost a race: what the page shows is stale, so pages re-read it rather than point at a field.</summary>
    public static Error ConcurrentChange() => new(ErrorKind.Conflict, ConcurrentChangeMessage) { IsConcurrentChange = true };

    /// <summary>The organization's plan does not include this; pages add a link to where the plan is changed (Billing → Plan).</summary>
    public static Error PlanGate(ErrorKind kind, string message) => new(kind, message) { IsPlanGate = true };

    public bool IsConcurrentChange { get; private init; }
    public bool IsPlanGate { get; private init; }

    /// <summary>The message for one form field, if this error is about it.</summary>
    public string? For(string field) => Fields is not null && Fields.TryGetValue(field, out var m) ? m : null;
}

public class Result
{
    protected Result(Error? error) => Error = error;

    /// <summary>Why the operation was refused; null exactly when <see cref="IsSuccess"/>.</summary>
    public Error? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public static Result Ok() => new(null);
    public static Result Fail(Error error) => new(error);
    public static implicit operator Result(Error error) => new(error);
}

public sealed class Result<T> : Result
{
    private readonly T? _value;

    private Result(T value) : base(null) => _value = value;
    private Result(Error error) : base(error) { }

    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"No value: {Error.Message}");

    public static Result<T> Ok(T value) => new(value);
    public static new Result<T> Fail(Error error) => new(error);
    public static implicit operator Result<T>(T value) => new(value);
    public static implicit operator Result<T>(Error error) => new(error);
}
