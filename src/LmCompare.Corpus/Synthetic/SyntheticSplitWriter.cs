using System.Text;
using LmCompare.Core;
using LmCompare.Corpus.Ingest;

namespace LmCompare.Corpus.Synthetic;

/// <summary>What one synthetic split came to: its manifest entry, and for training the counts and type growth.</summary>
public sealed record SyntheticSplit(SplitManifest Split, long[] Counts, IReadOnlyList<long[]> TypeGrowth);

/// <summary>
/// Draws one split from a <see cref="BigramSampler"/> and writes it as ingest does: int32 ids with <c>&lt;/s&gt;</c>
/// ending every line, document starts, and the bytes the text would take (words joined by one space, a newline per line:
/// the bits-per-byte denominator), without ever building the text. The split is drawn as segments of
/// <see cref="SegmentTokens"/> tokens, each its own chain from a sentence start with its own random stream, so the files
/// depend on the seed alone; <see cref="ChainsAtOnce"/> chains advance in turn, which lets their memory reads (one
/// random slot per token, the sampler's cost) overlap instead of waiting one after another.
/// </summary>
internal sealed class SyntheticSplitWriter(BigramSampler sampler, Vocabulary vocabulary, long documentTokens)
{
    public const int SegmentTokens = 1 << 20;
    private const int ChainsAtOnce = 8;
    private const int MaxSentenceTail = 10_000; // a sentence still open past a segment's size is closed after this many tokens

    private readonly int[] _tokenBytes = vocabulary.Tokens.Select(t => Encoding.UTF8.GetByteCount(t)).ToArray();
    private readonly int[][] _buffers = Enumerable.Range(0, ChainsAtOnce).Select(_ => new int[SegmentTokens + MaxSentenceTail + 1]).ToArray();

    public SyntheticSplit Write(string binPath, string docsPath, long tokens, ulong seed, Action<long>? tokensDone)
    {
        var stats = new SplitStatistics(vocabulary.Count, _tokenBytes, documentTokens, tokens);
        long segments = (tokens + SegmentTokens - 1) / SegmentTokens;
        var lengths = new int[ChainsAtOnce];
        using (var writer = new TokenFileWriter(binPath))
        {
            for (long first = 0; first < segments; first += ChainsAtOnce)
            {
                int chains = (int)Math.Min(ChainsAtOnce, segments - first);
                DrawSegments(first, chains, tokens, seed, lengths);
                for (int c = 0; c < chains; c++)
                {
                    var drawn = _buffers[c].AsSpan(0, lengths[c]);
                    stats.Add(drawn);
                    writer.Write(drawn);
                }
                tokensDone?.Invoke(stats.Written);
            }
            writer.Complete();
        }
        return stats.Finish(docsPath);
    }

    /// <summary>Segments <paramref name="first"/>.. of the split, <paramref name="chains"/> of them advanced in turn.</summary>
    private void DrawSegments(long first, int chains, long tokens, ulong seed, int[] lengths)
    {
        Span<SplitMix64> random = stackalloc SplitMix64[ChainsAtOnce];
        Span<int> previous = stackalloc int[ChainsAtOnce];
        Span<long> target = stackalloc long[ChainsAtOnce];
        for (int c = 0; c < chains; c++)
        {
            long segment = first + c;
            random[c] = new SplitMix64(new SplitMix64(seed + (ulong)segment * 0x9E3779B97F4A7C15UL).Next());
            previous[c] = SpecialTokens.SentenceEndId;
            target[c] = Math.Min(SegmentTokens, tokens - segment * SegmentTokens);
            lengths[c] = 0;
        }
        int open = chains;
        while (open > 0)
        {
            open = 0;
            for (int c = 0; c < chains; c++)
            {
                int length = lengths[c];
                if (length >= target[c] && previous[c] == SpecialTokens.SentenceEndId) continue; // this segment is done
                int next = length >= target[c] + MaxSentenceTail ? SpecialTokens.SentenceEndId : sampler.Next(previous[c], ref random[c]);
                _buffers[c][length] = next;
                lengths[c] = length + 1;
                previous[c] = next;
                open++;
            }
        }
    }
}
