using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Data;

namespace OrgConsole.Tests.TestSupport;

/// <summary>Drives the statically rendered account pages over HTTP, as a browser would.</summary>
public static partial class AccountForms
{
    public const string DemoPassword = "OrgConsole-demo-1";

    public static HttpClient NewClient(this AppFactory app, Uri? baseAddress = null) => app.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false, HandleCookies = true, BaseAddress = baseAddress ?? new Uri("http://localhost/"),
    });

    public static async Task<ApplicationDbContext> DbAsync(this AppFactory app) =>
        await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();

    public static Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password, string path = "/Account/Login") =>
        PostFormAsync(client, path, "login", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.Stage"] = "password",
            ["Input.RememberMe"] = "false",
        });

    /// <summary>Loads a form page, then posts it with its antiforgery token.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string formName, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        fields["_handler"] = formName;
        fields["__RequestVerificationToken"] = AntiforgeryToken(page);
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    public static string AntiforgeryToken(string page) => WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);

    /// <summary>The first link of an HTML email body, decoded.</summary>
    public static string FirstLink(string htmlBody) => WebUtility.HtmlDecode(Regex.Match(htmlBody, "href=\"([^\"]+)\"").Groups[1].Value);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
