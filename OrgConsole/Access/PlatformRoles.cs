namespace OrgConsole.Access;

/// <summary>Roles of the operator's own staff, outside every organization (SPEC §8). Granted by the operator, never by an organization.</summary>
public static class PlatformRoles
{
    public const string Support = "Support";
    public const string SupportNormalized = "SUPPORT";
}
