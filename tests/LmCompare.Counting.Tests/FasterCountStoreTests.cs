using LmCompare.Core;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.Faster;
using LmCompare.Counting.Backends.Garnet;
using LmCompare.Counting.Backends.Memory;
using LmCompare.Counting.Stores;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

public class FasterCountStoreTests
{
    private static FasterStoreSettings Settings(TempDirectory temp) =>
        new() { Directory = temp.Combine("store"), IndexBuckets = 1 << 12, LogMemoryBytes = 16L << 20, Threads = 2 };

    [Fact]
    public void CheckpointRecover_RoundTrip_KeepsCountsAndCookie()
    {
        using var temp = new TempDirectory();
        var keys = Enumerable.Range(0, 100_000).Select(i => (long)i * 7919).ToArray();
        var deltas = keys.Select((_, i) => (long)(i % 5 + 1)).ToArray();
        using (var store = FasterCountStore.Create(Settings(temp)))
        {
            store.AddBatch(keys, deltas);
            store.AddBatch(keys.AsMemory(0, 10), Enumerable.Repeat(100L, 10).ToArray());
            store.Checkpoint([1, 2, 3]);
        }

        using var reopened = FasterCountStore.Open(Settings(temp));
        var values = new long[keys.Length + 1];
        reopened.GetBatch([.. keys, -5], values);

        Assert.Equal([1, 2, 3], reopened.RecoveredCookie);
        Assert.Equal(101, values[0]);
        Assert.Equal(deltas[50_000], values[50_000]);
        Assert.Equal(0, values[^1]);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ScanRecords_AfterSpillingToDisk_MaximumPerKeyIsTheCount()
    {
        using var temp = new TempDirectory();
        var keys = Enumerable.Range(0, 400_000).Select(i => (long)i).ToArray();
        var ones = Enumerable.Repeat(1L, keys.Length).ToArray();
        using var store = FasterCountStore.Create(Settings(temp));
        for (int round = 0; round < 3; round++)
        {
            store.AddBatch(keys, ones); // 16 MB of log in memory: later rounds update records already on disk
            store.Checkpoint([(byte)round]);
        }

        var latest = new Dictionary<long, long>();
        foreach (var (key, count) in store.ScanRecords()) latest[key] = Math.Max(latest.GetValueOrDefault(key), count);

        Assert.Equal(keys.Length, latest.Count);
        Assert.All(latest.Values, c => Assert.Equal(3, c));
    }

    [Fact]
    public void Open_CheckpointFilesDamaged_FailsNamingTheStore()
    {
        using var temp = new TempDirectory();
        using (var store = FasterCountStore.Create(Settings(temp)))
        {
            store.AddBatch(new long[] { 1, 2, 3 }, new long[] { 1, 1, 1 });
            store.Checkpoint([9]);
        }
        foreach (var file in Directory.GetFiles(temp.Combine("store", "checkpoints"), "*", SearchOption.AllDirectories))
            File.WriteAllBytes(file, new byte[7]);

        var error = Assert.Throws<InputException>(() => FasterCountStore.Open(Settings(temp)));

        Assert.Contains(temp.Combine("store"), error.Message);
        Assert.Contains("truncated or corrupt", error.Message);
    }

    [Fact]
    public void Open_NoCheckpoint_Fails()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("store"));

        Assert.Throws<InputException>(() => FasterCountStore.Open(Settings(temp)));
    }

    [Fact]
    public void CountTable_Drain_GivesEveryKeyOnceWithItsCount()
    {
        var table = new CountTable(1 << 20);
        for (int i = 0; i < 1000; i++) table.Increment(i % 300);
        var seen = new Dictionary<long, long>();

        table.Drain((k, v) => { for (int i = 0; i < k.Length; i++) seen.Add(k.Span[i], v.Span[i]); });

        Assert.Equal(300, seen.Count);
        Assert.Equal(4, seen[0]);
        Assert.Equal(3, seen[299]);
        Assert.Equal(0, table.Count);
    }

    [Theory]
    [InlineData("256MB", 256L << 20)]
    [InlineData("1GB", 1L << 30)]
    [InlineData("1.5g", 3L << 29)]
    public void MemorySize_Parse_BinaryUnits(string text, long bytes) => Assert.Equal(bytes, MemorySize.Parse(text));

    [Theory]
    [InlineData("lots")]
    [InlineData("-5MB")]
    [InlineData("10KB")]
    public void MemorySize_Parse_Bad_Throws(string text) => Assert.Throws<UsageException>(() => MemorySize.Parse(text));
}
