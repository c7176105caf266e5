using LmCompare.Core;
using LmCompare.Counting.Backends;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// Stage <b>count</b> of the Kneser-Ney pipeline: every N-gram ending at a word or &lt;/s&gt; of a sentence, with N-1
/// &lt;s&gt; before the sentence. Windows with more than one &lt;s&gt; are not N-grams; lmplz keeps only their part from
/// the last &lt;s&gt; on, with its raw count, one order down or more: that part is counted straight into its order here.
/// Counting runs chunk by chunk into whatever counting backend the build was handed (<see cref="CountChunks"/>).
/// </summary>
public static class NGramCounter
{
    private const int Bos = SpecialTokens.SentenceStartId, Eos = SpecialTokens.SentenceEndId, Unk = SpecialTokens.UnknownId;

    /// <summary>
    /// Counts the windows ending at [<paramref name="from"/>, <paramref name="to"/>) chunk by chunk into
    /// <paramref name="sink"/>, committing each chunk's end as the resume point. Chunks start at fixed positions
    /// (<paramref name="rangeStart"/> + k * the sink's chunk), so a resumed count repeats a half-sent chunk exactly.
    /// </summary>
    public static void CountChunks(ICountSink sink, TrainingTokens tokens, int order, long rangeStart, long from, long to,
        IProgress<ProgressReport>? progress)
    {
        long chunkTokens = Math.Max(1, sink.NGramChunkTokens);
        for (long chunk = from; chunk < to; chunk = Math.Min(to, chunk + chunkTokens))
        {
            long end = Math.Min(to, chunk + chunkTokens);
            progress?.Report(new ProgressReport("count", chunk - rangeStart, to - rangeStart, "tokens"));
            var tables = NewTables(order, 1024, end - chunk);
            long start = Math.Max(0, chunk - order); // the windows at the chunk's start look back up to N-1 tokens, and one more
            CountRange(tokens.Read(start, end), tables, chunk - start, end - start);
            sink.AddNGrams(end, tables);
            sink.Commit(end);
        }
        progress?.Report(new ProgressReport("count", to - rangeStart, to - rangeStart, "tokens"));
    }

    /// <summary>Empty count tables of orders 1..n sized for a text of <paramref name="tokens"/> tokens.</summary>
    public static NGramTable[] NewTables(int n, int vocabularySize, long tokens)
    {
        var tables = new NGramTable[n];
        int upper = (int)Math.Min(tokens, 1 << 28);
        for (int k = 1; k <= n; k++)
            tables[k - 1] = new NGramTable(k, k == 1 ? Math.Max(1024, vocabularySize) : Math.Max(1024, k == 2 ? upper / 3 : upper));
        return tables;
    }

    /// <summary>
    /// The padded windows that end at training positions [<paramref name="from"/>, <paramref name="to"/>): the counts of
    /// consecutive ranges add up to the whole text's. The window at <paramref name="from"/> is rebuilt from the tokens
    /// before it, back to the sentence start or N-1 tokens.
    /// </summary>
    public static void CountRange(ReadOnlySpan<int> tokens, NGramTable[] tables, long from, long to)
    {
        int n = tables.Length;
        int start = (int)from;
        while (start > 0 && tokens[start - 1] != Eos && from - start < n - 1) start--;
        Span<int> window = stackalloc int[n];
        window.Fill(Bos);
        int inSentence = start > 0 && tokens[start - 1] != Eos ? n - 1 : 0; // backed up N-1 tokens: the window is full
        for (int i = start; i < to; i++)
        {
            window[1..].CopyTo(window);
            window[n - 1] = tokens[i];
            inSentence++;
            if (i >= from)
            {
                int length = inSentence >= n - 1 ? n : inSentence + 1; // from the last <s> on
                tables[length - 1].AddRaw(window[(n - length)..], 1);
            }
            if (tokens[i] == Eos) { window.Fill(Bos); inSentence = 0; }
        }
    }

    /// <summary>
    /// The padded window that comes last in suffix order of KenLM's word ids: lmplz records its suffixes with their raw
    /// instead of adjusted counts when it counts the count-of-counts (see <see cref="DiscountStage"/>).
    /// </summary>
    public static int[] LastPaddedWindow(TrainingTokens tokens, int n, int[] rank)
    {
        var window = new int[n];
        Array.Fill(window, Bos);
        var last = new int[n];
        last.AsSpan().Fill(Bos);
        tokens.Scan(block =>
        {
            foreach (int token in block)
            {
                window.AsSpan(1).CopyTo(window);
                window[n - 1] = token;
                if (SuffixOrderGreater(window, last, rank)) window.CopyTo(last, 0);
                if (token == Eos) Array.Fill(window, Bos);
            }
        });
        return last;
    }

    private static bool SuffixOrderGreater(ReadOnlySpan<int> a, ReadOnlySpan<int> b, int[] rank)
    {
        for (int j = a.Length - 1; j >= 0; j--)
            if (a[j] != b[j]) return rank[a[j]] > rank[b[j]];
        return false;
    }

    /// <summary>KenLM's word ids: &lt;unk&gt; &lt;s&gt; &lt;/s&gt;, then words in order of first appearance in training.</summary>
    public static int[] KenLmRanks(TrainingTokens tokens, int vocabularySize)
    {
        var rank = new int[vocabularySize];
        Array.Fill(rank, int.MaxValue);
        rank[Unk] = 0; rank[Bos] = 1; rank[Eos] = 2;
        int next = 3;
        tokens.Scan(block =>
        {
            foreach (int t in block) if (rank[t] == int.MaxValue) rank[t] = next++;
        });
        for (int id = 0; id < vocabularySize; id++) if (rank[id] == int.MaxValue) rank[id] = next++;
        return rank;
    }
}
