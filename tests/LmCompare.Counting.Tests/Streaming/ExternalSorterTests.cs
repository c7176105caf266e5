using LmCompare.Counting.NGrams.Streaming;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests.Streaming;

public class ExternalSorterTests
{
    /// <summary>Random records of <paramref name="stride"/> ints with keys drawn from [0, <paramref name="range"/>).</summary>
    private static int[][] RandomRecords(int seed, int count, int stride, int range)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, stride).Select(_ => random.Next(range)).ToArray()).ToArray();
    }

    private static int Compare(int[] a, int[] b, int keyInts) => RecordMerge.CompareKeys(a, b, keyInts);

    [Theory]
    [InlineData(1, 3, 1, 2)]            // one key int, values 0..1: one pass on one bit
    [InlineData(2, 5, 3, 400_000)]      // ids wider than 16 bits: two passes per key int
    [InlineData(3, 7, 5, int.MaxValue)] // the full 31 bits
    [InlineData(4, 4, 4, 1)]            // every key equal: every pass skipped
    public void RadixSort_RandomRecords_EqualsAStableComparisonSort(int seed, int stride, int keyInts, int range)
    {
        var records = RandomRecords(seed, 5000, stride, range);
        var flat = records.SelectMany(r => r).ToArray();

        var sorted = RecordRadixSort.Sort(flat, new int[flat.Length], records.Length, stride, keyInts);

        var expected = records.Select((r, i) => (r, i)).OrderBy(x => x.r, Comparer<int[]>.Create((a, b) => Compare(a, b, keyInts)))
            .ThenBy(x => x.i).SelectMany(x => x.r).ToArray(); // OrderBy is stable; ThenBy makes it explicit
        Assert.Equal(expected, sorted[..flat.Length]);
    }

    [Theory]
    [InlineData(1L << 20)] // everything in one buffer: no run spilled
    [InlineData(4096)]     // 1,024-record buffers: many runs merged
    public void Finish_WithFolding_EachKeyOnceWithItsSum(long memory)
    {
        using var temp = new TempDirectory();
        var records = RandomRecords(7, 20_000, 3, 300);
        RecordCombiner add = (into, other) => into[2] += other[2];
        using var sorter = new ExternalSorter(temp.Path, "t", 3, 2, memory, add);
        foreach (var r in records) sorter.Add(r);

        var output = new List<int[]>();
        using (var sorted = sorter.Finish())
            while (sorted.MoveNext()) output.Add(sorted.Current.ToArray());

        var expected = records.GroupBy(r => (r[0], r[1])).OrderBy(g => g.Key.Item1).ThenBy(g => g.Key.Item2)
            .Select(g => new[] { g.Key.Item1, g.Key.Item2, g.Sum(r => r[2]) }).ToList();
        Assert.Equal(expected, output);
        Assert.True(memory > 1 << 16 ? sorter.Runs.Count == 0 : sorter.Runs.Count > 5, $"{sorter.Runs.Count} runs");
    }

    [Fact]
    public void Dispose_AfterSpilling_RunFilesDeleted()
    {
        using var temp = new TempDirectory();
        using (var sorter = new ExternalSorter(temp.Path, "t", 2, 2, 4096, null))
        {
            foreach (var r in RandomRecords(3, 5000, 2, 100)) sorter.Add(r);
            using var sorted = sorter.Finish();
            Assert.NotEmpty(Directory.GetFiles(temp.Path));
        }
        Assert.Empty(Directory.GetFiles(temp.Path));
    }
}
