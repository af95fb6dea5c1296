using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using OrgConsole.Common;

namespace OrgConsole.AdminApi;

/// <summary>
/// Opaque pagination tokens: base64url of "list:position". The list name keeps a token of one list from being used on another;
/// the position is a row offset, or for users the last email of the page (keyset). Anything else is a 400.
/// </summary>
public static class Cursor
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 100;

    public static string Encode(string list, string position) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{list}:{position}"));

    public static bool TryDecode(string list, string? token, out string position)
    {
        position = "";
        if (string.IsNullOrEmpty(token) || token.Length > 700) return false;
        byte[] bytes;
        try { bytes = Base64Url.DecodeFromChars(token); }
        catch (FormatException) { return false; }
        string text;
        try { text = new UTF8Encoding(false, true).GetString(bytes); }
        catch (ArgumentException) { return false; }
        if (!text.StartsWith(list + ":", StringComparison.Ordinal)) return false;
        position = text[(list.Length + 1)..];
        return position.Length > 0;
    }

    /// <summary>Reads <c>limit</c> (1..100, default 100; out of range: 400 OUT_OF_RANGE) and an offset <c>paginationToken</c>.</summary>
    public static BadRequest<ErrorResponse>? ReadOffsetPage(HttpRequest request, string list, out int skip, out int take)
    {
        skip = 0;
        if (ReadLimit(request, out take) is { } bad) return bad;
        var token = request.Query["paginationToken"].ToString();
        if (token.Length == 0) return null;
        if (!TryDecode(list, token, out var position) || !int.TryParse(position, System.Globalization.NumberStyles.None, null, out skip) || skip > 10_000_000)
        {
            return InvalidToken();
        }
        return null;
    }

    /// <summary>
    /// An offset-paged list, answered one way: reads <c>limit</c> and the token, asks <paramref name="read"/> for that slice
    /// (skip, take), and answers it with the next page's token while there is more.
    /// </summary>
    public static async Task<Results<Ok<PagedResponse<TDto>>, BadRequest<ErrorResponse>, Forbidden<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> OffsetPageAsync<TRow, TDto>(
        HttpRequest request, string list, Func<int, int, Task<Result<Slice<TRow>>>> read, Func<TRow, TDto> dto)
    {
        if (ReadOffsetPage(request, list, out var skip, out var take) is { } bad) return bad;
        var page = await read(skip, take);
        return page.IsSuccess ? OffsetPaged(list, skip, take, page.Value, dto) : ApiResults.Fail<Ok<PagedResponse<TDto>>>(page.Error);
    }

    /// <summary>A slice read at <paramref name="skip"/> as the list's response: its items, and the next token while there is more.</summary>
    public static Ok<PagedResponse<TDto>> OffsetPaged<TRow, TDto>(string list, int skip, int take, Slice<TRow> page, Func<TRow, TDto> dto) =>
        TypedResults.Ok(new PagedResponse<TDto>(page.Items.Select(dto).ToList(), page.HasMore ? new Pagination(Encode(list, (skip + take).ToString())) : null));

    public static BadRequest<ErrorResponse>? ReadLimit(HttpRequest request, out int take)
    {
        take = DefaultLimit;
        var raw = request.Query["limit"];
        if (raw.Count == 0) return null;
        if (raw.Count > 1 || !int.TryParse(raw.ToString(), System.Globalization.NumberStyles.AllowLeadingSign, null, out take))
        {
            return ApiResults.BadRequest("limit must be an integer from 1 to 100.");
        }
        return take is < 1 or > MaxLimit
            ? ApiResults.BadRequest($"limit must be from 1 to {MaxLimit}; it was {take}.", "OUT_OF_RANGE")
            : null;
    }

    public static BadRequest<ErrorResponse> InvalidToken() => ApiResults.BadRequest("paginationToken is not a token this list returned. Start again without it.");
}

/// <summary>The <c>pagination</c> object; absent on the last page.</summary>
public sealed record Pagination(string? Next);
