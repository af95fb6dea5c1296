using OrgConsole.Access;
using OrgConsole.Common;

namespace OrgConsole.Features.Plans;

/// <summary>
/// "Your plan does not include X", said one way everywhere: a <see cref="ErrorKind.Quota"/> error (403 QUOTA_EXCEEDED on
/// the Admin API) whose message names the plan that includes it and where the plan is changed, Billing → Plan.
/// </summary>
public static class PlanGate
{
    /// <summary>Where an Owner or Billing admin changes the plan: the plan section of the billing page.</summary>
    public static string ChangePlanHref(Guid organizationId) => $"/orgs/{organizationId}/billing#plan";

    public const string ChangePlanPlace = "Billing → Plan";

    public static Error? SingleSignOn(Plan plan) => Demand("Single sign-on", plan, l => l.AllowsSso);

    public static Error? ServiceAccounts(Plan plan) => Demand("Service accounts", plan, l => l.AllowsServiceAccounts);

    /// <summary>Null when <paramref name="plan"/> includes the feature, else the refusal.</summary>
    public static Error? Demand(string feature, Plan plan, Func<PlanLimits, bool> includes) =>
        includes(PlanLimits.For(plan)) ? null : Error.PlanGate(ErrorKind.Quota, Message(feature, plan, includes));

    /// <summary>The one wording, also shown by the pages before anyone tries.</summary>
    public static string Message(string feature, Plan plan, Func<PlanLimits, bool> includes)
    {
        var lowest = PlanLimits.All.FirstOrDefault(includes)?.Plan ?? Plan.Enterprise;
        return $"{feature} {(feature.EndsWith('s') ? "are" : "is")} part of the {lowest} plan; this organization is on the {plan} plan. " +
               $"An Owner or Billing admin can upgrade the plan under {ChangePlanPlace}.";
    }
}
