namespace OrgConsole.AdminApi;

/// <summary>
/// How every Admin API operation is mapped, one resource at a time: method and path, the handler, Pinecone's operation id
/// and summary, the resource's tag, and the JSON body it accepts (for the OpenAPI document). Its responses come from the
/// handler's typed results; the <c>/admin</c> group adds the gate's 401 and 500 and the error shape. A resource's
/// operations read as one table: <c>admin.Operations("Projects").Get(…).Post&lt;CreateProjectRequest&gt;(…)</c>.
/// </summary>
public sealed class AdminOperations(RouteGroupBuilder admin, string tag)
{
    public AdminOperations Get(string pattern, Delegate handler, string operationId, string summary) =>
        Named(admin.MapGet(pattern, handler), operationId, summary);

    public AdminOperations Delete(string pattern, Delegate handler, string operationId, string summary) =>
        Named(admin.MapDelete(pattern, handler), operationId, summary);

    /// <summary>A POST without a body (resend, rotate).</summary>
    public AdminOperations Post(string pattern, Delegate handler, string operationId, string summary) =>
        Named(admin.MapPost(pattern, handler), operationId, summary);

    /// <summary>A POST whose JSON body is <typeparamref name="TBody"/> (the handler reads it itself, to answer bad input in the API's shape).</summary>
    public AdminOperations Post<TBody>(string pattern, Delegate handler, string operationId, string summary) where TBody : notnull =>
        Named(admin.MapPost(pattern, handler).Accepts<TBody>("application/json"), operationId, summary);

    /// <summary>A PATCH whose JSON body is <typeparamref name="TBody"/>.</summary>
    public AdminOperations Patch<TBody>(string pattern, Delegate handler, string operationId, string summary) where TBody : notnull =>
        Named(admin.MapPatch(pattern, handler).Accepts<TBody>("application/json"), operationId, summary);

    private AdminOperations Named(RouteHandlerBuilder operation, string operationId, string summary)
    {
        operation.WithName(operationId).WithSummary(summary).WithTags(tag);
        return this;
    }
}

public static class AdminOperationsExtensions
{
    /// <summary>The operations of one resource, all under <paramref name="tag"/> in the OpenAPI document.</summary>
    public static AdminOperations Operations(this RouteGroupBuilder admin, string tag) => new(admin, tag);
}
