using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Data;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Accounts;

/// <summary>A copy of the database, or of the key directory, alone does not give away second factors or keys (issue 12 §5).</summary>
public sealed class SecretsAtRestTests
{
    [Fact(Timeout = 30_000)]
    public async Task AnAuthenticatorKey_IsStoredProtected_AndStillVerifiesCodes()
    {
        await using var db = await TestDb.CreateAsync();
        var userId = await db.CreateUserAsync("totp@test.example");
        await using var scope = db.As(userId);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByIdAsync(userId))!;

        Assert.True((await users.ResetAuthenticatorKeyAsync(user)).Succeeded);
        var key = (await users.GetAuthenticatorKeyAsync(user))!;

        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        var stored = await ctx.UserTokens.Where(t => t.UserId == userId && t.Name == "AuthenticatorKey").Select(t => t.Value).SingleAsync();
        Assert.DoesNotContain(key, stored);
        Assert.StartsWith("dp1:", stored);
        Assert.Matches("^[A-Z2-7]{32}$", key);
        var code = Totp.Code(key, DateTimeOffset.UtcNow);
        Assert.True(await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code));
    }

    [Fact(Timeout = 30_000)]
    public async Task AnAuthenticatorKey_StoredBeforeProtection_StillWorks()
    {
        await using var db = await TestDb.CreateAsync();
        var userId = await db.CreateUserAsync("legacy@test.example");
        const string legacyKey = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            ctx.UserTokens.Add(new IdentityUserToken<string> { UserId = userId, LoginProvider = "[AspNetUserStore]", Name = "AuthenticatorKey", Value = legacyKey });
            await ctx.SaveChangesAsync();
        }
        await using var scope = db.As(userId);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();

        Assert.Equal(legacyKey, await users.GetAuthenticatorKeyAsync((await users.FindByIdAsync(userId))!));
    }

    [Fact(Timeout = 120_000)]
    public async Task WithACertificateConfigured_TheKeyRingIsEncryptedAtRest_AndReadableAfterARestart()
    {
        var directory = Directory.CreateTempSubdirectory("orgconsole-keyring-");
        try
        {
            var keys = Path.Combine(directory.FullName, "keys");
            var pfx = Path.Combine(directory.FullName, "keyring.pfx");
            using (var rsa = RSA.Create(2048))
            {
                var request = new CertificateRequest("CN=OrgConsole key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
                await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "pfx-password"));
            }
            var settings = new Dictionary<string, string>
            {
                ["DataProtection:KeysPath"] = keys, ["DataProtection:CertificatePath"] = pfx, ["DataProtection:CertificatePassword"] = "pfx-password",
            };

            string protectedPayload;
            await using (var first = AppFactory.InMemory(settings))
            {
                protectedPayload = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a secret");
            }
            await using var second = AppFactory.InMemory(settings);
            var unprotected = second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedPayload);

            Assert.Equal("a secret", unprotected);
            var keyFiles = Directory.GetFiles(keys, "key-*.xml");
            Assert.NotEmpty(keyFiles);
            foreach (var file in keyFiles)
            {
                var xml = await File.ReadAllTextAsync(file);
                Assert.Contains("encryptedSecret", xml);
                Assert.DoesNotContain("<masterKey", xml);
            }
        }
        finally
        {
            try { directory.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
