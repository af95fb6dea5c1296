namespace OrgConsole.Access;

/// <summary>An organization's plan. A shared noun: access, billing and every plan gate read it (what each allows: Features/Plans).</summary>
public enum Plan
{
    Starter,
    Standard,
    Enterprise,
}
