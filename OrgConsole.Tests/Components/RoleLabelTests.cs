using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OrgConsole.Access;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Audit.Pages;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Components;

/// <summary>Raw wire role names (<c>ProjectEditor</c>) are never shown alone: one label source names every role.</summary>
public sealed class RoleLabelTests : MudComponentTest
{
    public static TheoryData<Role> EveryRole => new(Enum.GetValues<Role>());

    [Theory]
    [MemberData(nameof(EveryRole))]
    public void EveryRole_HasAHumanLabel_NotItsWireName(Role role)
    {
        var label = role.DisplayName();
        Assert.NotEqual(role.ToString(), label);
        Assert.Contains(' ', label + (label is "Owner" or "User" ? " " : ""));
        Assert.Equal($"{label} ({role})", role.WithWireName());
    }

    [Fact]
    public void Annotate_LabelsQuotedWireNames_AndLeavesOtherWordsAlone()
    {
        var text = RoleLabels.Annotate("{ \"Role\": \"ProjectEditor\", \"Roles\": [\"OrgOwner\", \"DataPlaneViewer\"], \"Name\": \"Projecteditor\" }");

        Assert.Equal("{ \"Role\": \"ProjectEditor\" (Project editor), \"Roles\": [\"OrgOwner\" (Owner), \"DataPlaneViewer\" (Data plane viewer)], \"Name\": \"Projecteditor\" }", text);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheAuditEventDialog_ShowsEachRecordedRoleWithItsLabel()
    {
        RenderProviders();
        var row = new AuditRow(1, new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc), ActorType.User, "u1", "owner@test.example", "api_key.updated",
            "api_key", "k1", null, "{\"Roles\":[\"ProjectEditor\"]}", "{\"Roles\":[\"ControlPlaneViewer\",\"DataPlaneEditor\"]}", null, null, null);
        var dialogs = Context.Services.GetRequiredService<IDialogService>();

        await DialogProvider.InvokeAsync(() => dialogs.ShowAsync<AuditEventDialog>("Event", new DialogParameters<AuditEventDialog> { { d => d.Event, row } }));

        DialogProvider.WaitForAssertion(() =>
        {
            Assert.Contains("\"ProjectEditor\" (Project editor)", DialogProvider.Find("[data-testid=audit-before]").TextContent);
            var after = DialogProvider.Find("[data-testid=audit-after]").TextContent;
            Assert.Contains("\"ControlPlaneViewer\" (Control plane viewer)", after);
            Assert.Contains("\"DataPlaneEditor\" (Data plane editor)", after);
        }, TimeSpan.FromSeconds(10));
    }
}
