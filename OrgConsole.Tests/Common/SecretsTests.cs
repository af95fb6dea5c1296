using OrgConsole.Common;

namespace OrgConsole.Tests.Common;

/// <summary>The one place secrets are made and compared (invitation tokens, client secrets, the usage ingestion key).</summary>
public sealed class SecretsTests
{
    [Fact]
    public void ALinkToken_Is256RandomBits_InUnpaddedBase64Url()
    {
        var tokens = Enumerable.Range(0, 50).Select(_ => Secrets.RandomBase64Url(32)).ToList();

        Assert.All(tokens, t => Assert.Matches("^[A-Za-z0-9_-]{43}$", t));
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Theory]
    [InlineData("the-ingestion-key", "the-ingestion-key", true)]
    [InlineData("the-ingestion-kez", "the-ingestion-key", false)]
    [InlineData("the-ingestion-key-and-more", "the-ingestion-key", false)]
    [InlineData("the-ingestion", "the-ingestion-key", false)]
    [InlineData("", "the-ingestion-key", false)]
    public void AConfiguredSecret_MatchesOnlyItself(string presented, string configured, bool matches) =>
        Assert.Equal(matches, Secrets.MatchesConfigured(presented, configured));

    [Theory]
    [InlineData("")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("any client secret")]
    public void NoHash_IsMatchedByNoSecret(string presented) => Assert.False(Secrets.Matches(presented, Secrets.NoHash));
}
