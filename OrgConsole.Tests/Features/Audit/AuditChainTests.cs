using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrgConsole.Data;
using OrgConsole.Features.Audit;
using OrgConsole.Features.Organizations;
using OrgConsole.Tests.TestSupport;

namespace OrgConsole.Tests.Features.Audit;

/// <summary>
/// SPEC §9: someone with the database alone — triggers dropped — cannot delete the newest events, edit one and recompute
/// the chain, or rehash it with a key of their own without the chain check saying so.
/// </summary>
public sealed class AuditChainTests
{
    /// <summary>An organization with five events (created, four renames), checkpointed; triggers dropped as an attacker would.</summary>
    private static async Task<(TestDb Db, Guid OrgId)> CheckpointedChainAsync()
    {
        var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Chain");
        for (var i = 1; i <= 4; i++) Assert.True((await db.Service<OrganizationService>(owner).RenameAsync(orgId, $"Chain {i}")).IsSuccess);
        Assert.True(await db.Service<AuditCheckpoints>(null).CheckpointAsync() >= 1);
        var intact = await db.Service<AuditLog>(null).VerifyAsync(orgId);
        Assert.True(intact.IsIntact, intact.Message);
        Assert.Equal(5, intact.Checkpoint?.Sequence);
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        await ctx.Database.ExecuteSqlRawAsync(AuditTriggers.DropSqlite);
        return (db, orgId);
    }

    /// <summary>Rewrites a chain in the database the way an attacker with the code but not the key would.</summary>
    private static async Task RewriteAsync(TestDb db, Guid orgId, Action<AuditEvent> change, Func<AuditEvent, string> hash, long from = 1)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        var events = await ctx.AuditEvents.Where(e => e.OrganizationId == orgId).OrderBy(e => e.Sequence).ToListAsync();
        var previous = events.Where(e => e.Sequence < from).Select(e => e.Hash).LastOrDefault() ?? new string('0', 64);
        foreach (var evt in events.Where(e => e.Sequence >= from))
        {
            change(evt);
            evt.PreviousHash = previous;
            evt.Hash = hash(evt);
            previous = evt.Hash;
        }
        await ctx.SaveChangesAsync();
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact(Timeout = 30_000)]
    public async Task DeletingTheNewestEvents_IsDetectedByTheCheckpoint()
    {
        var (db, orgId) = await CheckpointedChainAsync();
        await using var _ = db;
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            Assert.Equal(2, await ctx.AuditEvents.Where(e => e.OrganizationId == orgId && e.Sequence >= 4).ExecuteDeleteAsync());
        }

        var check = await db.Service<AuditLog>(null).VerifyAsync(orgId);

        Assert.False(check.IsIntact);
        Assert.Equal(4, check.FirstBrokenSequence);
        Assert.Contains("#4 to #5 were deleted", check.Message);
        // The owner's chain check (service and page) says the same.
        var owners = await db.Service<AuditQueryService>(await OwnerAsync(db, orgId)).VerifyAsync(orgId);
        Assert.False(owners.Value.IsIntact);
    }

    [Fact(Timeout = 30_000)]
    public async Task DeletingTheNewestEvents_AndAppendingNewOnes_IsDetectedByTheCheckpoint()
    {
        var (db, orgId) = await CheckpointedChainAsync();
        await using var _ = db;
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.AuditEvents.Where(e => e.OrganizationId == orgId && e.Sequence >= 4).ExecuteDeleteAsync();
        }
        // Genuine new events fill the gap with the server's key: the chain is whole again but not the one checkpointed.
        var owner = await OwnerAsync(db, orgId);
        for (var i = 5; i <= 7; i++) Assert.True((await db.Service<OrganizationService>(owner).RenameAsync(orgId, $"Chain {i}")).IsSuccess);

        var check = await db.Service<AuditLog>(null).VerifyAsync(orgId);

        Assert.False(check.IsIntact);
        Assert.Equal(5, check.FirstBrokenSequence);
        Assert.Contains("differs from the checkpoint", check.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task EditingAnEvent_AndRecomputingTheLaterHashesWithPlainSha256_IsDetected()
    {
        var (db, orgId) = await CheckpointedChainAsync();
        await using var _ = db;

        await RewriteAsync(db, orgId, e => { if (e.Sequence == 3) e.After = "{\"name\":\"Innocent\"}"; }, e => Sha256(AuditLog.Canonical(e)), from: 3);

        var check = await db.Service<AuditLog>(null).VerifyAsync(orgId);
        Assert.False(check.IsIntact);
        Assert.Equal(3, check.FirstBrokenSequence);
    }

    [Fact(Timeout = 30_000)]
    public async Task RewritingTheWholeChainAsUnkeyedSha256_IsDetected()
    {
        var (db, orgId) = await CheckpointedChainAsync();
        await using var _ = db;

        // Pretend every event predates keyed sealing: the old SHA-256 scheme, which needs no key.
        await RewriteAsync(db, orgId, e => { e.KeyId = null; if (e.Sequence == 3) e.After = "{\"name\":\"Innocent\"}"; }, AuditLog.LegacyHash);

        var check = await db.Service<AuditLog>(null).VerifyAsync(orgId);
        Assert.False(check.IsIntact);
        Assert.Contains("None of the 5 events is sealed", check.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task RehashingEverythingWithAnotherKey_IsDetected()
    {
        var (db, orgId) = await CheckpointedChainAsync();
        await using var _ = db;
        var wrongKey = new AuditChainKey(RandomNumberGenerator.GetBytes(32));

        await RewriteAsync(db, orgId, e => { if (e.Sequence == 3) e.After = "{\"name\":\"Innocent\"}"; }, e => wrongKey.Seal(AuditLog.Canonical(e)));
        var sameKeyId = await db.Service<AuditLog>(null).VerifyAsync(orgId);

        await RewriteAsync(db, orgId, e => e.KeyId = wrongKey.Id, e => wrongKey.Seal(AuditLog.Canonical(e)));
        var ownKeyId = await db.Service<AuditLog>(null).VerifyAsync(orgId);

        Assert.False(sameKeyId.IsIntact);
        Assert.Equal(1, sameKeyId.FirstBrokenSequence);
        Assert.False(ownKeyId.IsIntact);
        Assert.Contains("a key this server does not hold", ownKeyId.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task ACheckpointWrittenWithoutTheKey_IsReported_AndNeverTrusted()
    {
        var (db, orgId) = await CheckpointedChainAsync();
        await using var _ = db;
        var lines = await File.ReadAllLinesAsync(db.CheckpointPath);
        var genuine = Assert.Single(lines, l => l.Contains(orgId.ToString()));

        // Someone tries to move the checkpoint back to #3 so that deleting #4 and #5 goes unnoticed.
        await File.AppendAllTextAsync(db.CheckpointPath, genuine.Replace("\"seq\":5", "\"seq\":3") + "\n");
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.AuditEvents.Where(e => e.OrganizationId == orgId && e.Sequence >= 4).ExecuteDeleteAsync();
        }

        var check = await db.Service<AuditLog>(null).VerifyAsync(orgId);
        Assert.False(check.IsIntact);
        Assert.Contains("wrong signature", check.Message);
        Assert.Equal(5, check.Checkpoint?.Sequence);
    }

    [Fact(Timeout = 30_000)]
    public async Task Checkpointing_WritesOnlyChainsThatMoved_AsSignedLines()
    {
        await using var db = await TestDb.CreateAsync();
        var (a, ownerA) = await db.CreateOrganizationAsync("A");
        var (b, _) = await db.CreateOrganizationAsync("B");
        var checkpoints = db.Service<AuditCheckpoints>(null);

        Assert.True(await checkpoints.CheckpointAsync() >= 2);
        Assert.Equal(0, await checkpoints.CheckpointAsync());
        Assert.True((await db.Service<OrganizationService>(ownerA).RenameAsync(a, "A2")).IsSuccess);
        Assert.Equal(1, await checkpoints.CheckpointAsync());

        var lines = await File.ReadAllLinesAsync(db.CheckpointPath);
        Assert.Equal(2, lines.Count(l => l.Contains(a.ToString())));
        Assert.Single(lines, l => l.Contains(b.ToString()));
        Assert.All(lines, l => Assert.Contains("\"sig\":\"", l));
        Assert.True((await db.Service<AuditLog>(null).VerifyAsync(a)).IsIntact);
    }

    [Fact(Timeout = 30_000)]
    public async Task ChainsWrittenBeforeKeying_AreReanchoredWithARekeyedCheckpoint_AndStayVerifiable()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, owner) = await db.CreateOrganizationAsync("Old");
        for (var i = 1; i <= 2; i++) Assert.True((await db.Service<OrganizationService>(owner).RenameAsync(orgId, $"Old {i}")).IsSuccess);
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Database.ExecuteSqlRawAsync(AuditTriggers.DropSqlite);
        }
        // The trail as an earlier version wrote it: plain SHA-256, no key, no labels.
        await RewriteAsync(db, orgId, e => { e.KeyId = null; e.ActorLabel = null; e.TargetLabel = null; }, AuditLog.LegacyHash);
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Database.ExecuteSqlRawAsync(AuditTriggers.CreateSqlite);
        }
        Assert.False((await db.Service<AuditLog>(null).VerifyAsync(orgId)).IsIntact);

        Assert.True(await db.Service<AuditCheckpoints>(null).CheckpointAsync() >= 1);

        var events = await db.AuditEventsAsync(orgId);
        var anchor = events.Last();
        Assert.Equal((4L, AuditCheckpoints.RekeyedAction), (anchor.Sequence, anchor.Action));
        Assert.Contains(events[2].Hash, anchor.After);
        var check = await db.Service<AuditLog>(null).VerifyAsync(orgId);
        Assert.True(check.IsIntact, check.Message);
        Assert.Equal("rekeyed", check.Checkpoint?.Kind);
        Assert.Contains("\"kind\":\"rekeyed\"", await File.ReadAllTextAsync(db.CheckpointPath));

        // The old events are now anchored: rewriting them with the old scheme breaks the seal of the anchor.
        await using (var ctx = await db.DbFactory.CreateDbContextAsync())
        {
            await ctx.Database.ExecuteSqlRawAsync(AuditTriggers.DropSqlite);
        }
        await RewriteAsync(db, orgId, e => { if (e.Sequence == 2) e.After = "{\"name\":\"Innocent\"}"; }, AuditLog.LegacyHash, from: 2);
        var rewritten = await db.Service<AuditLog>(null).VerifyAsync(orgId);
        Assert.False(rewritten.IsIntact);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheChainKey_ComesFromConfigurationOrAKeyRingProtectedFile_NeverFromTheDatabase()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"orgconsole-keys-{Guid.NewGuid():N}");
        try
        {
            var ring = DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(dir, "ring")));
            var options = new AuditOptions { ChainKeyPath = Path.Combine(dir, "audit-chain.key") };
            var first = AuditChainKey.Load(options, ring, new KeyManagementOptions());
            var again = AuditChainKey.Load(options, ring, new KeyManagementOptions());
            Assert.Equal(first.Id, again.Id);
            Assert.Equal(first.Seal("x"), again.Seal("x"));
            // The file is useless without the key ring.
            var otherRing = DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(dir, "other-ring")));
            Assert.ThrowsAny<CryptographicException>(() => AuditChainKey.Load(options, otherRing, new KeyManagementOptions()));

            var configured = AuditChainKey.Load(new AuditOptions { ChainKey = TestDb.ChainKey }, ring, new KeyManagementOptions());
            Assert.NotEqual(first.Id, configured.Id);
            Assert.Throws<InvalidOperationException>(() => AuditChainKey.Load(new AuditOptions { ChainKey = "short" }, ring, new KeyManagementOptions()));
            Assert.Throws<InvalidOperationException>(() => AuditChainKey.Load(new AuditOptions(), ring, new KeyManagementOptions()));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task TheDatabase_HoldsNoKeyThatSealsTheChain()
    {
        await using var db = await TestDb.CreateAsync();
        var (orgId, _) = await db.CreateOrganizationAsync("Secretless");
        var key = db.Services.GetRequiredService<AuditChainKey>();
        SqliteConnection.ClearAllPools();

        var keyBytes = Convert.FromBase64String(TestDb.ChainKey);
        foreach (var path in new[] { db.DatabasePath, db.DatabasePath + "-wal" }.Where(File.Exists))
        {
            var file = await File.ReadAllBytesAsync(path);
            Assert.Equal(-1, file.AsSpan().IndexOf(keyBytes));
            Assert.Equal(-1, file.AsSpan().IndexOf(Encoding.ASCII.GetBytes(TestDb.ChainKey)));
        }
        Assert.Equal(key.Id, (await db.AuditEventsAsync(orgId)).Single().KeyId);
    }

    private static async Task<string> OwnerAsync(TestDb db, Guid orgId)
    {
        await using var ctx = await db.DbFactory.CreateDbContextAsync();
        return await ctx.RoleAssignments.Where(r => r.OrganizationId == orgId && r.ProjectId == null && r.Role == OrgConsole.Access.Role.OrgOwner)
            .Select(r => r.PrincipalId).FirstAsync();
    }
}
