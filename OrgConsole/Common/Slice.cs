namespace OrgConsole.Common;

/// <summary>One page of a list read in SQL, and whether more rows follow it (for cursor pagination).</summary>
public sealed record Slice<T>(IReadOnlyList<T> Items, bool HasMore);
