using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// The training tokens an n-gram count reads: held whole (a build that fits its memory, tests) or read from the split's
/// file a range at a time (a streaming build: 200M tokens would take 800 MB as one array).
/// </summary>
public sealed class TrainingTokens
{
    private readonly int[]? _all;
    private readonly TokenFileRanges? _file;
    private int[] _buffer = [];

    private TrainingTokens(int[]? all, TokenFileRanges? file)
    {
        _all = all;
        _file = file;
        Length = all?.Length ?? file!.Length;
    }

    public static TrainingTokens InMemory(int[] tokens) => new(tokens, null);

    public static TrainingTokens FromFile(string path, int vocabularySize) => new(null, new TokenFileRanges(path, vocabularySize));

    public long Length { get; }

    /// <summary>Tokens [<paramref name="from"/>, <paramref name="to"/>), valid until the next call.</summary>
    public ReadOnlySpan<int> Read(long from, long to) =>
        _all is not null ? _all.AsSpan((int)from, (int)(to - from)) : _file!.Read(from, to, ref _buffer);

    /// <summary>Every token front to back, in blocks (for scans such as <see cref="NGramCounter.KenLmRanks"/>).</summary>
    public void Scan(Action<ReadOnlySpan<int>> block, int blockTokens = 1 << 22)
    {
        for (long from = 0; from < Length; from += blockTokens) block(Read(from, Math.Min(Length, from + blockTokens)));
    }
}
