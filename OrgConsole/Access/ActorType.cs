namespace OrgConsole.Access;

/// <summary>Who acts: a shared noun of access (the actor) and of the audit trail (who did it).</summary>
public enum ActorType
{
    User,
    ServiceAccount,
    ApiKey,
    Support,
    System,
    Anonymous,
}
