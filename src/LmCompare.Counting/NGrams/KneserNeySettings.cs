using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>Settings of <c>lmc ngram build</c>.</summary>
/// <param name="Order">Highest n-gram order, 1..8. Default 5.</param>
/// <param name="DiscountFallback">Use D1 = 0.5, D2 = 1, D3+ = 1.5 where the count-of-counts give no valid discount
/// (KenLM's --discount_fallback); without it such data is an error, as in KenLM.</param>
/// <param name="MemoryBytes">Memory budget of the build: an estimate that would not fit counts to sorted runs and streams
/// through external sorts within it (see <see cref="Streaming.StreamingEstimate"/>). Default 1 GB.</param>
/// <param name="Partitions">More than one forces the streaming estimate (tests), and is how many partitions of the last word
/// a backend that hands counts over by partition (a cluster) is read in; null chooses from <paramref name="MemoryBytes"/>.</param>
/// <param name="WholeVocabulary">Give every id of the vocabulary a unigram (count 0: probability gamma / |V| from the
/// uniform floor) even when the training tokens never contain it, like lmplz's vocabulary padding. Learning curves need
/// it: a model built on a prefix must still spread its mass over the whole vocabulary. Off by default (KenLM parity).</param>
/// <param name="Backend">Where the raw counts are made and kept; null: memory when the build fits
/// <paramref name="MemoryBytes"/>, else sorted runs in the model folder.</param>
/// <param name="Format">The file <c>lmc ngram eval</c> scores in place: "trie" (the trie alone, the smallest) or "probing"
/// (hash tables, the fastest lookups, written beside the trie: twice the disk and about 40% more build time on
/// debian-docs). The trie is written either way: whole distributions and top-k ranks read its successor runs. Default
/// trie.</param>
public sealed record KneserNeySettings(int Order = 5, bool DiscountFallback = false, long MemoryBytes = 1L << 30, int? Partitions = null,
    bool WholeVocabulary = false, Backends.CountingBackendFactory? Backend = null, string Format = KneserNeySettings.Trie)
{
    public const string Probing = "probing", Trie = "trie";

    /// <summary>The format named by --format, or one line naming the choices.</summary>
    public static string ParseFormat(string? text) => text switch
    {
        null or Trie => Trie,
        Probing => Probing,
        _ => throw new UsageException($"--format must be {Probing} or {Trie} (got '{text}')"),
    };

    public const int MaxOrder = 8;

    /// <summary>Bytes the in-memory estimate takes per training token and order (measured ~160 per n-gram, ~half the windows distinct).</summary>
    public const long BytesPerTokenAndOrder = 80;

    /// <summary>One partition when the in-memory estimate fits the budget, else enough partitions that each does (at most 256).</summary>
    public int PartitionsFor(long tokens)
    {
        if (Partitions is { } forced) return Math.Max(1, forced);
        long estimate = tokens * Order * BytesPerTokenAndOrder;
        return (int)Math.Clamp((estimate + MemoryBytes - 1) / MemoryBytes, 1, 256);
    }

    /// <summary>Positions counted per chunk before the chunk is written as sorted runs: as many as the budget holds.</summary>
    public long ChunkTokens => Math.Max(1 << 12, MemoryBytes / (Order * BytesPerTokenAndOrder));

    /// <summary>
    /// About the disk a streaming build needs at its peak (stage initial, two orders at once: the adjusted streams, the
    /// runs of two external sorts and their outputs): 40 bytes per training token and order, measured 40.1 GB for KN5 on
    /// 200M synthetic tokens at --memory 1GB (eval/RESULTS.md), the high end (synthetic text has more distinct n-grams).
    /// </summary>
    public long StreamingDiskBytes(long tokens) => tokens * Order * 40;

    public void Validate()
    {
        if (Order is < 1 or > MaxOrder) throw new UsageException($"--order must be in 1..{MaxOrder} (got {Order})");
    }
}

/// <summary>The three modified Kneser-Ney discounts of one order (Chen and Goodman 1998, eq. 26); index 0 is 0.</summary>
public readonly record struct Discount(float D1, float D2, float D3Plus)
{
    public static readonly Discount Fallback = new(0.5f, 1f, 1.5f);

    public float Get(long count) => count switch { <= 0 => 0f, 1 => D1, 2 => D2, _ => D3Plus };

    /// <summary>count - D(count) in single precision, as KenLM computes it.</summary>
    public float Apply(long count) => (float)count - Get(count);
}
