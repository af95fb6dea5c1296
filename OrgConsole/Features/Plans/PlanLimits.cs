using OrgConsole.Access;

namespace OrgConsole.Features.Plans;

/// <summary>What each plan allows and what it costs. The one place plan limits and prices are written down.</summary>
/// <param name="MaxMembers">How many people may belong to the organization; null: no limit.</param>
public sealed record PlanLimits(Plan Plan, int MaxProjects, IReadOnlyList<Role> ApiKeyRoles, bool AllowsSso, bool AllowsServiceAccounts,
    int? MaxMembers, PlanPrices Prices)
{
    public static readonly PlanLimits Starter = new(Plan.Starter, MaxProjects: 1, ApiKeyRoles: [Role.ProjectEditor], AllowsSso: false, AllowsServiceAccounts: false,
        MaxMembers: 5, Prices: PlanPrices.Free);
    public static readonly PlanLimits Standard = new(Plan.Standard, MaxProjects: 20, ApiKeyRoles: Roles.ApiKeyRoles, AllowsSso: false, AllowsServiceAccounts: false,
        MaxMembers: null, Prices: new(MonthlyFee: 25.00m, MonthlyMinimum: 50.00m, PerReadUnit: 0.000016m, PerWriteUnit: 0.000004m, PerStorageGbHour: 0.00045m));
    public static readonly PlanLimits Enterprise = new(Plan.Enterprise, MaxProjects: 100, ApiKeyRoles: Roles.ApiKeyRoles, AllowsSso: true, AllowsServiceAccounts: true,
        MaxMembers: null, Prices: new(MonthlyFee: 500.00m, MonthlyMinimum: 500.00m, PerReadUnit: 0.000024m, PerWriteUnit: 0.000006m, PerStorageGbHour: 0.00045m));

    public static readonly IReadOnlyList<PlanLimits> All = [Starter, Standard, Enterprise];

    public static PlanLimits For(Plan plan) => plan switch
    {
        Plan.Starter => Starter,
        Plan.Standard => Standard,
        Plan.Enterprise => Enterprise,
        _ => throw new ArgumentOutOfRangeException(nameof(plan)),
    };
}
