using OrgConsole.Access;
using OrgConsole.Data;

namespace OrgConsole.Tests.Access;

/// <summary>
/// Issue 17: a principal's roles, most privileged first, are one shared read-only list per set of roles — reading a page
/// of members makes no role lists, and the list a row shows is the very list the next read gives for the same roles.
/// </summary>
public class RolesSharingTests
{
    [Fact]
    public void TheSameRoles_InAnyOrder_WithRepeats_AreTheSameReadOnlyList_MostPrivilegedFirst()
    {
        var a = Roles.MostPrivilegedFirst([Role.OrgBillingAdmin, Role.OrgOwner, Role.OrgBillingAdmin]);
        var b = Roles.MostPrivilegedFirst([Role.OrgOwner, Role.OrgBillingAdmin]);

        Assert.Equal([Role.OrgOwner, Role.OrgBillingAdmin], a);
        Assert.Same(a, b);
        Assert.Same(Roles.Only(Role.OrgMember), Roles.MostPrivilegedFirst([Role.OrgMember]));
        Assert.Empty(Roles.MostPrivilegedFirst([]));
        Assert.Throws<NotSupportedException>(() => ((IList<Role>)a).Add(Role.OrgMember)); // shared: nobody may change it
        Assert.Equal(Enum.GetValues<Role>(), Roles.MostPrivilegedFirst(Enum.GetValues<Role>().Reverse()));
    }

    [Fact]
    public void StoredNames_AreReadWithoutSplitting_AndAnUnknownNameThrows()
    {
        Assert.Same(Roles.MostPrivilegedFirst([Role.OrgOwner, Role.OrgMember]), KeptSql.RolesByName("OrgMember,OrgOwner,OrgMember"));
        Assert.Same(Roles.Only(Role.OrgBillingAdmin), KeptSql.RolesByName("OrgBillingAdmin"));
        Assert.ThrowsAny<ArgumentException>(() => KeptSql.RolesByName("OrgOwner,Emperor"));
        Assert.ThrowsAny<ArgumentException>(() => KeptSql.RolesByName("orgowner")); // names are exact, as stored
        Assert.Throws<ArgumentOutOfRangeException>(() => Roles.MostPrivilegedFirst([(Role)99]));
    }
}
