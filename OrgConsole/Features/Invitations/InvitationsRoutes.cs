namespace OrgConsole.Features.Invitations;

/// <summary>Where an invitation link leads.</summary>
public static class InvitationsRoutes
{
    public const string AcceptPage = "/invitations/accept";

    public static string Accept(string? token) => $"{AcceptPage}?token={Uri.EscapeDataString(token ?? "")}";
}
