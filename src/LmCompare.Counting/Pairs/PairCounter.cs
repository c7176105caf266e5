using System.Diagnostics;
using LmCompare.Core;
using LmCompare.Counting.Backends;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Stage "count": c_d(u, v) for d = 1..N over the training ids, never across a document boundary. Counts aggregate in a
/// <see cref="CountTable"/> of the memory budget; when it fills (or, where the sink allows it,
/// <see cref="PairModelSettings.CheckpointSeconds"/> pass) they are flushed to the counting backend's sink with the
/// position reached, which the backend makes durable as the resume point.
/// </summary>
public sealed class PairCounter(PairModelSettings settings, IProgress<ProgressReport>? progress)
{
    public int Merges { get; private set; }

    /// <summary>
    /// Counts the pairs whose first token lies in [<paramref name="startToken"/>, <paramref name="endToken"/>) (a resume
    /// point, and a sharded worker's end), reading up to N tokens past the end within the document. The tokens are read a
    /// block at a time, so a split of any size takes the table's memory and one block.
    /// </summary>
    /// <param name="rangeStart">Where this writer's range starts (0, or a shard's first token): the table is sized from
    /// the whole range, not from the resume point, so a resumed run fills it, and merges, exactly where the first run did.</param>
    public void Count(TrainingTokens tokens, DocumentIndex documents, long startToken, ICountSink sink, long endToken = long.MaxValue,
        long rangeStart = 0)
    {
        int n = settings.Distances;
        endToken = Math.Min(endToken, tokens.Length);
        // No bigger than the budget, nor than the pairs of the range could fill.
        long maxKeys = Math.Max(1, (endToken - rangeStart) * n);
        // About half the (token, distance) slots are distinct keys on real text: the table starts at that size.
        var table = new CountTable(Math.Min(settings.MemoryBytes, CountTable.BytesFor(maxKeys)), maxKeys / 2);
        var clock = Stopwatch.StartNew();
        double flushSeconds = sink.FlushByClock ? settings.CheckpointSeconds : double.PositiveInfinity;
        int doc = 0;
        long docEnd = documents.Documents > 0 ? documents[0].End : 0;
        for (long block = startToken; block < endToken; block += BlockTokens)
        {
            long blockEnd = Math.Min(endToken, block + BlockTokens);
            var span = tokens.Read(block, Math.Min(tokens.Length, blockEnd + n));
            for (long i = block; i < blockEnd; i++)
            {
                while (docEnd <= i) docEnd = documents[++doc].End;
                if (table.MustDrainBefore(n) || ((i & 0xFFFF) == 0 && clock.Elapsed.TotalSeconds > flushSeconds))
                {
                    Merge(table, i, sink);
                    clock.Restart();
                }
                int at = (int)(i - block);
                int u = span[at];
                int last = (int)(Math.Min(docEnd - 1, i + n) - block);
                for (int j = at + 1; j <= last; j++) table.Increment(PairKey.Pack(u, span[j], j - at));
                if ((i & 0xFFFFF) == 0) progress?.Report(new ProgressReport("count", i, tokens.Length, "tokens"));
            }
        }
        Merge(table, endToken, sink);
        progress?.Report(new ProgressReport("count", endToken, tokens.Length, "tokens"));
    }

    /// <summary>Tokens read at a time.</summary>
    private const int BlockTokens = 1 << 22;

    private void Merge(CountTable table, long tokensDone, ICountSink sink)
    {
        progress?.Report(new ProgressReport("merge", Merges, null, "merges"));
        table.Drain((keys, deltas) => sink.Add(tokensDone, keys, deltas));
        progress?.Report(new ProgressReport("checkpoint", Merges, null, "checkpoints"));
        sink.Commit(tokensDone);
        Merges++;
    }
}
