using System.Runtime.InteropServices;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// One n-gram in the model file (<see cref="NGramModelFile"/>), at (order, index): its context (the index of its first n-1 words in the
/// order below) and last word spell it out exactly, trie-fashion, so no hash can make two n-grams one.
/// </summary>
/// <param name="Context">Index of the (n-1)-gram context; 0 for unigrams.</param>
/// <param name="Word">Last word id.</param>
/// <param name="Count">Kneser-Ney (adjusted) count; 0 for n-grams read from an ARPA file.</param>
/// <param name="Prob">log10 probability.</param>
/// <param name="Backoff">log10 backoff.</param>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly record struct NGramRecord(int Context, int Word, long Count, float Prob, float Backoff)
{
    public static long Key(int order, long index) => ((long)(order - 1) << 56) | index;

    /// <summary>The order of records within one order of the model file: by last word, then context index (suffix order).</summary>
    public static long SortKey(int word, int context) => ((long)word << 32) | (uint)context;

    public long SortKey() => SortKey(Word, Context);
}
