namespace OrgConsole.AdminApi;

// The Admin API's wire shapes (Pinecone Admin API 2026-04), serialized snake_case by AdminJson.
// Request properties are nullable so a missing field can be told from a wrong one and answered with a clear 400.

public sealed record ListResponse<T>(IReadOnlyList<T> Data);

public sealed record PagedResponse<T>(IReadOnlyList<T> Data, Pagination? Pagination);

public sealed record ProjectDto(Guid Id, string Name, int MaxPods, bool ForceEncryptionWithCmek, string OrganizationId, DateTime CreatedAt);

public sealed class CreateProjectRequest
{
    public string? Name { get; init; }
    public int? MaxPods { get; init; }
    public bool? ForceEncryptionWithCmek { get; init; }
}

public sealed class UpdateProjectRequest
{
    public string? Name { get; init; }
    public int? MaxPods { get; init; }
    public bool? ForceEncryptionWithCmek { get; init; }
}

public sealed record OrganizationDto(string Id, string Name, string Plan, string PaymentStatus, DateTime CreatedAt, string SupportTier);

public sealed class UpdateOrganizationRequest
{
    public string? Name { get; init; }
}

public sealed record ApiKeyDto(Guid Id, string Name, Guid ProjectId, IReadOnlyList<string> Roles);

public sealed record ApiKeyWithSecretDto(ApiKeyDto Key, string Value);

public sealed class CreateApiKeyRequest
{
    public string? Name { get; init; }
    public List<string>? Roles { get; init; }
}

public sealed class UpdateApiKeyRequest
{
    public string? Name { get; init; }
    public List<string>? Roles { get; init; }
}

public sealed record UserDto(string Id, string Email, string? Name);

public sealed record InviteDto(Guid Id, string Email, string Status, DateTime? ExpiresAt, DateTime? ProcessedAt, DateTime CreatedAt);

public sealed class RoleBindingInput
{
    public string? ResourceType { get; init; }
    public string? ResourceId { get; init; }
    public string? Role { get; init; }
}

public sealed class CreateInviteRequest
{
    public string? Email { get; init; }
    public List<RoleBindingInput>? RoleBindings { get; init; }
}

public sealed record ServiceAccountDto(Guid Id, string Name, string ClientId, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record ServiceAccountWithSecretDto(ServiceAccountDto ServiceAccount, string ClientSecret);

public sealed class CreateServiceAccountRequest
{
    public string? Name { get; init; }
    public List<RoleBindingInput>? RoleBindings { get; init; }
}

public sealed class UpdateServiceAccountRequest
{
    public string? Name { get; init; }
}

public sealed record RoleBindingDto(Guid Id, string PrincipalType, string PrincipalId, string ResourceType, string ResourceId, string Role, DateTime CreatedAt);

public sealed class CreateRoleBindingRequest
{
    public string? PrincipalType { get; init; }
    public string? PrincipalId { get; init; }
    public string? ResourceType { get; init; }
    public string? ResourceId { get; init; }
    public string? Role { get; init; }
}
