using BenchmarkDotNet.Attributes;
using LmCompare.Counting.NGrams.Streaming;

namespace LmCompare.Benchmarks;

/// <summary>
/// The radix sort of the streaming Kneser-Ney estimate on records shaped like debian-docs' 5-grams (ids below 387,394,
/// 19 bits: two passes per key int): stage initial's sort by context (stride 8, 4 key ints) and by suffix position
/// (stride 11, 1 key int), 2M records each (one run's worth at a 1 GB budget is 2.4M).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 9)]
public class RecordSortBenchmarks
{
    private const int Records = 2_000_000;
    private int[] _byContext = [], _bySuffix = [], _work = [], _scratch = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _byContext = new int[Records * 8];
        for (int i = 0; i < _byContext.Length; i++) _byContext[i] = random.Next(387_394);
        _bySuffix = new int[Records * 11];
        var positions = Enumerable.Range(0, Records).OrderBy(_ => random.Next()).ToArray();
        for (int r = 0; r < Records; r++)
        {
            _bySuffix[r * 11] = positions[r];
            for (int j = 1; j < 11; j++) _bySuffix[r * 11 + j] = random.Next();
        }
        _work = new int[_bySuffix.Length];
        _scratch = new int[_bySuffix.Length];
    }

    [Benchmark]
    public int[] ByContext()
    {
        Array.Copy(_byContext, _work, _byContext.Length);
        return RecordRadixSort.Sort(_work, _scratch, Records, 8, 4);
    }

    [Benchmark]
    public int[] ByContextAllColumns()
    {
        Array.Copy(_byContext, _work, _byContext.Length);
        return RecordRadixSort.Sort(_work, _scratch, Records, 8, 7);
    }

    [Benchmark]
    public int[] ByPosition()
    {
        Array.Copy(_bySuffix, _work, _bySuffix.Length);
        return RecordRadixSort.Sort(_work, _scratch, Records, 11, 1);
    }
}
