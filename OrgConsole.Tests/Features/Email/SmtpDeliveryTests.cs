using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace OrgConsole.Tests.Features.Email;

/// <summary>With an SMTP host configured, account email really leaves through SMTP (to a server started here).</summary>
public sealed class SmtpDeliveryTests
{
    [Fact(Timeout = 60_000)]
    public async Task WithSmtpConfigured_APasswordResetEmailIsDeliveredOverSmtp_AndNotKeptInTheOutbox()
    {
        var port = FreePort();
        var inbox = new CapturingStore();
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(inbox);
        var server = new SmtpServer.SmtpServer(options, services);
        using var stop = new CancellationTokenSource();
        var running = server.StartAsync(stop.Token);

        await using var app = AppFactory.InMemory(new Dictionary<string, string>
        {
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = port.ToString(),
            ["Email:Smtp:Security"] = "None",
        });
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var page = await client.GetStringAsync("/Account/ForgotPassword");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await client.PostAsync("/Account/ForgotPassword", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "forgot-password", ["__RequestVerificationToken"] = token, ["Input.Email"] = "eli@acme.example",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var message = await inbox.Received.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("eli@acme.example", message.To.Mailboxes.Single().Address);
        Assert.Equal("Reset your OrgConsole password", message.Subject);
        var link = WebUtility.HtmlDecode(Regex.Match(message.HtmlBody ?? "", "href=\"([^\"]+)\"").Groups[1].Value);
        var resetPage = await client.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, resetPage.StatusCode);
        Assert.Contains("Input.Code", await resetPage.Content.ReadAsStringAsync());
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.OutboxEmails.ToListAsync());

        stop.Cancel();
        await running.ContinueWith(_ => { });
    }

    [Fact(Timeout = 60_000)]
    public async Task AnInvitationEmail_LeavesThroughSmtp_AndItsLinkOpensTheInvitation()
    {
        var port = FreePort();
        var inbox = new CapturingStore();
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(inbox);
        using var stop = new CancellationTokenSource();
        var running = new SmtpServer.SmtpServer(options, services).StartAsync(stop.Token);
        await using var app = AppFactory.InMemory(new Dictionary<string, string>
        {
            ["Email:Smtp:Host"] = "127.0.0.1", ["Email:Smtp:Port"] = port.ToString(), ["Email:Smtp:Security"] = "None",
            ["App:PublicUrl"] = "http://localhost/",
        });
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
            var owner = await db.Users.SingleAsync(u => u.Email == "owner@acme.example");
            var acme = await db.Organizations.SingleAsync(o => o.Name == "Acme Corp");
            scope.ServiceProvider.GetRequiredService<OrgConsole.Access.ActorAccessor>().Current =
                new OrgConsole.Access.Actor(OrgConsole.Access.ActorType.User, owner.Id, owner.Email!);
            var invited = await scope.ServiceProvider.GetRequiredService<OrgConsole.Features.Invitations.InvitationService>()
                .InviteAsync(acme.Id, new(["smtp.invitee@example.com"], OrgConsole.Access.Role.OrgMember));
            Assert.True(invited.IsSuccess, invited.Error?.Message);
            Assert.Empty(invited.Value.EmailFailures);
        }

        var message = await inbox.Received.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("smtp.invitee@example.com", message.To.Mailboxes.Single().Address);
        Assert.Contains("Acme Corp", message.Subject);
        var link = WebUtility.HtmlDecode(Regex.Match(message.HtmlBody ?? "", "href=\"([^\"]+)\"").Groups[1].Value);
        Assert.StartsWith("http://localhost/invitations/accept?token=", link);
        var page = await app.CreateClient().GetStringAsync(new Uri(link).PathAndQuery);
        Assert.Contains("smtp.invitee@example.com", page);
        Assert.Contains("Acme Corp", page);

        stop.Cancel();
        await running.ContinueWith(_ => { });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class CapturingStore : MessageStore
    {
        public TaskCompletionSource<MimeMessage> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            Received.TrySetResult(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
