using LmCompare.Core;

namespace LmCompare.Evaluation.Analysis;

/// <summary>
/// One pass over a training split's token file, a block at a time: every n-gram and pair key within a document goes to
/// its kind's <see cref="StreamedKeyCensus"/>, and each kind snapshots its distinct estimate where a growth prefix ends.
/// The n-gram kinds and the pair kinds run on two threads over the same block.
/// </summary>
internal sealed class TrainingKeyScan(StreamedKeyCensus[] ngrams, StreamedKeyCensus[] pairs, List<long> prefixes)
{
    private const int BlockTokens = 1 << 22;

    public void Run(TokenFileRanges train, DocumentIndex documents, IProgress<ProgressReport>? progress)
    {
        int back = Math.Max(ngrams.Length - 1, pairs.Length);
        var buffer = Array.Empty<int>();
        for (long block = 0; block < train.Length; block += BlockTokens)
        {
            long end = Math.Min(train.Length, block + BlockTokens), from = Math.Max(0, block - back);
            train.Read(from, end, ref buffer); // into the one buffer: a copy per block was 16 MB of garbage each
            var tokens = buffer;
            progress?.Report(new ProgressReport("training keys", block, train.Length, "tokens"));
            Parallel.Invoke(
                () => Observe(ngrams, tokens, from, block, end, documents, 0, prefixes),
                () => Observe(pairs, tokens, from, block, end, documents, 1, prefixes));
        }
        for (int p = 0; p < prefixes.Count; p++)
            if (prefixes[p] >= train.Length) foreach (var kind in ngrams.Concat(pairs)) kind.ReachPrefix(p);
    }

    /// <summary>Keys ending at positions [<paramref name="block"/>, <paramref name="end"/>); tokens[0] is position
    /// <paramref name="from"/>. <paramref name="kind"/> 0: n-grams of order index + 1; 1: pairs at distance index + 1.</summary>
    private static void Observe(StreamedKeyCensus[] kinds, int[] tokens, long from, long block, long end, DocumentIndex documents, int kind,
        List<long> prefixes)
    {
        int doc = FirstDocumentEndingAfter(documents, block), prefix = prefixes.FindIndex(p => p >= block);
        long docStart = documents[doc].Start, docEnd = documents[doc].End;
        for (long i = block; i < end; i++)
        {
            for (; prefix >= 0 && prefix < prefixes.Count && prefixes[prefix] == i; prefix++)
                foreach (var k in kinds) k.ReachPrefix(prefix);
            while (docEnd <= i) (docStart, docEnd) = documents[++doc];
            int at = (int)(i - from);
            long inDocument = i - docStart;
            for (int size = 1; size <= kinds.Length && size - 1 + kind <= inDocument; size++)
                kinds[size - 1].Observe(kind == 0
                    ? KeyCensus.NGramKey(tokens.AsSpan(at - size + 1, size))
                    : KeyCensus.PairKey(tokens[at - size], tokens[at]));
        }
    }

    private static int FirstDocumentEndingAfter(DocumentIndex documents, long position)
    {
        int lo = 0, hi = documents.Documents - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (documents[mid].End <= position) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
