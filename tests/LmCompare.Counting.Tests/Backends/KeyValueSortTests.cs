using LmCompare.Counting.Backends.SortedRuns;
using LmCompare.Counting.Pairs;

namespace LmCompare.Counting.Tests.Backends;

public class KeyValueSortTests
{
    public static TheoryData<int, int> Cases => new() { { 0, 1 }, { 1000, 2 }, { 70_000, 3 }, { 300_000, 4 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sort_RandomPairKeys_SameOrderAsArraySortAndValuesFollow(int n, int seed)
    {
        var random = new Random(seed);
        var keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = PairKey.Pack(random.Next(50_000), random.Next(50_000), random.Next(1, 9));
        var values = keys.Select(k => k ^ 0x5A5A).ToArray(); // each value names its key
        var expected = keys.Order().ToArray();

        KeyValueSort.Sort(keys, values);

        Assert.Equal(expected, keys);
        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(keys[i] ^ 0x5A5A, values[i]));
    }

    [Fact]
    public void Sort_SkewedKeys_OneBucketAndZeros_Sorted()
    {
        var random = new Random(5);
        var keys = Enumerable.Range(0, 200_000).Select(i => i % 3 == 0 ? 0L : (1L << 40) + random.Next(1000)).ToArray();
        var values = keys.Select(k => -k).ToArray();
        var expected = keys.Order().ToArray();

        KeyValueSort.Sort(keys, values);

        Assert.Equal(expected, keys);
        Assert.Equal(expected.Select(k => -k), values);
    }
}
