using LmCompare.Evaluation.Analysis;

namespace LmCompare.Evaluation.Tests;

public class KeySortTests
{
    /// <summary>Seeded keys of <paramref name="bits"/> bits, drawn from a pool so that keys repeat (the stability that
    /// first positions rely on), skewed toward small values when asked (pair keys of frequent words share top bits).</summary>
    private static ulong[] Keys(int seed, int count, int bits, bool skewed)
    {
        var random = new Random(seed);
        var pool = Enumerable.Range(0, Math.Max(1, count / 3)).Select(_ =>
        {
            ulong value = (ulong)random.NextInt64() ^ ((ulong)random.NextInt64() << 1);
            if (skewed) value >>= random.Next(64);
            return bits == 64 ? value : value & ((1UL << bits) - 1);
        }).ToArray();
        return Enumerable.Range(0, count).Select(_ => pool[random.Next(pool.Length)]).ToArray();
    }

    [Theory]
    [InlineData(0, 1, false)]
    [InlineData(1, 5, false)]
    [InlineData(1_000, 19, false)]
    [InlineData(50_000, 22, false)]
    [InlineData(50_000, 23, false)]
    [InlineData(200_000, 51, true)]
    [InlineData(200_000, 64, false)]
    [InlineData(30_000, 64, true)]
    [InlineData(3, 64, false)]
    public void Sort_SeededKeys_SameOrderAsAStableSortOfThePairs(int count, int bits, bool skewed)
    {
        var keys = Keys(count + bits, count, bits, skewed);
        var positions = Enumerable.Range(0, count).ToArray();
        var expected = keys.Zip(positions).OrderBy(p => p.First).ToArray(); // LINQ's OrderBy is stable

        KeySort.Sort(ref keys, ref positions, count);

        Assert.Equal(expected.Select(p => p.First), keys.Take(count));
        Assert.Equal(expected.Select(p => p.Second), positions.Take(count));
    }

    [Fact]
    public void Sort_OneKeyEverywhere_PositionsKeepTheirOrder()
    {
        var keys = Enumerable.Repeat(0xDEAD_BEEF_0000_0001UL, 10_000).ToArray();
        var positions = Enumerable.Range(0, keys.Length).ToArray();

        KeySort.Sort(ref keys, ref positions, keys.Length);

        Assert.Equal(Enumerable.Range(0, keys.Length), positions);
    }

    [Fact]
    public void FromOccurrences_SeededKeys_ContainsEveryKeyAndNoOther_FirstSeenIsTheFirstPosition()
    {
        var keys = Keys(7, 100_000, 64, skewed: true);
        var copy = keys.ToArray();
        var census = KeyCensus.FromOccurrences(keys, Enumerable.Range(0, keys.Length).ToArray(), keys.Length);
        var first = new Dictionary<ulong, int>();
        for (int i = 0; i < copy.Length; i++) first.TryAdd(copy[i], i);

        Assert.Equal(first.Count, census.Distinct);
        Assert.All(first.Keys, k => Assert.True(census.Contains(k)));
        var random = new Random(3);
        for (int i = 0; i < 10_000; i++)
        {
            ulong probe = (ulong)random.NextInt64() >> random.Next(64);
            Assert.Equal(first.ContainsKey(probe), census.Contains(probe));
        }
        var probes = copy.Take(5_000).Concat(Enumerable.Range(0, 5_000).Select(_ => (ulong)random.NextInt64() >> random.Next(64))).ToArray();
        var found = new bool[probes.Length];
        census.ContainsAll(probes, found);
        Assert.Equal(probes.Select(census.Contains), found);
        foreach (long prefix in new long[] { 0, 1, 777, 50_000, 100_000 })
            Assert.Equal(first.Values.Count(p => p < prefix), census.DistinctIn(prefix));
    }
}
