using System.Text.RegularExpressions;

namespace OrgConsole.Tests.TestSupport;

/// <summary>Posts statically rendered forms over HTTP the way a browser does: load the page, send its antiforgery token.</summary>
public static partial class FormPosts
{
    public const string DemoPassword = "OrgConsole-demo-1";

    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password = DemoPassword) =>
        PostAsync(client, "/Account/Login", "login", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.RememberMe"] = "false",
        });

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string formName, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        fields["_handler"] = formName;
        fields["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value;
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
