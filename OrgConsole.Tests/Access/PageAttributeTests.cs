using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using OrgConsole.Access;

namespace OrgConsole.Tests.Access;

public sealed class PageAttributeTests
{
    private static IEnumerable<(Type Page, string Route)> RoutablePages() =>
        typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (t, r.Template)));

    [Fact]
    public void EveryOrganizationPage_IsGuardedByAPermissionFromTheTable()
    {
        var orgPages = RoutablePages().Where(p => p.Route.StartsWith("/orgs/{OrgId", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(orgPages);
        Assert.All(orgPages, p => Assert.True(p.Page.GetCustomAttribute<RequirePermissionAttribute>() is not null,
            $"{p.Page.Name} ({p.Route}) has no [RequirePermission]"));
    }

    [Fact]
    public void EveryPage_OutsideTheAccountArea_DeclaresWhoMayOpenIt()
    {
        var pages = RoutablePages().Where(p => !p.Route.StartsWith("/Account", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.All(pages, p => Assert.True(
            p.Page.GetCustomAttribute<AuthorizeAttribute>(inherit: true) is not null || p.Page.GetCustomAttribute<AllowAnonymousAttribute>() is not null,
            $"{p.Page.Name} ({p.Route}) says neither [Authorize] nor [AllowAnonymous]"));
    }

    [Fact]
    public void ThePermissionPolicy_IsNamedAfterThePermission()
    {
        var attribute = new RequirePermissionAttribute(Permission.UpdateOrganizationName);
        Assert.Equal("Permission:UpdateOrganizationName", attribute.Policy);
    }
}
