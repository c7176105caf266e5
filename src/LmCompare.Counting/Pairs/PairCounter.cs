using System.Diagnostics;
using LmCompare.Core;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Stage "count": c_d(u, v) for d = 1..N over the training ids, never across a document boundary. Counts aggregate in a
/// <see cref="CountTable"/> of the memory budget; when it fills (or <see cref="PairModelSettings.CheckpointSeconds"/>
/// pass) they are merged into the store by read-modify-write and the store is checkpointed together with the position
/// reached, so a killed build resumes from its last checkpoint and ends with exactly the same counts.
/// </summary>
public sealed class PairCounter(ICountStore store, PairModelSettings settings, IProgress<ProgressReport>? progress)
{
    public int Merges { get; private set; }

    /// <summary>
    /// Counts the pairs whose first token lies in [<paramref name="startToken"/>, <paramref name="endToken"/>) (a resume
    /// point, and a sharded worker's end), reading up to N tokens past the end within the document.
    /// </summary>
    /// <param name="rangeStart">Where this writer's range starts (0, or a shard's first token): the table is sized from
    /// the whole range, not from the resume point, so a resumed run fills it, and merges, exactly where the first run did.</param>
    public void Count(ReadOnlySpan<int> tokens, DocumentIndex documents, long startToken, string fingerprint, long endToken = long.MaxValue, long rangeStart = 0)
    {
        int n = settings.Distances;
        endToken = Math.Min(endToken, tokens.Length);
        // No bigger than the budget, nor than the pairs of the range could fill.
        long maxKeys = Math.Max(1, (endToken - rangeStart) * n);
        var table = new CountTable(Math.Min(settings.MemoryBytes, CountTable.BytesFor(maxKeys)));
        var clock = Stopwatch.StartNew();
        for (int doc = 0; doc < documents.Documents; doc++)
        {
            var (start, end) = documents[doc];
            for (long i = Math.Max(start, startToken); i < Math.Min(end, endToken); i++)
            {
                if (table.MustDrainBefore(n) || ((i & 0xFFFF) == 0 && clock.Elapsed.TotalSeconds > settings.CheckpointSeconds))
                {
                    Merge(table, i, fingerprint);
                    clock.Restart();
                }
                int u = tokens[(int)i];
                long last = Math.Min(end - 1, i + n);
                for (long j = i + 1; j <= last; j++) table.Increment(PairKey.Pack(u, tokens[(int)j], (int)(j - i)));
                if ((i & 0xFFFFF) == 0) progress?.Report(new ProgressReport("count", i, tokens.Length, "tokens"));
            }
        }
        Merge(table, endToken, fingerprint);
        progress?.Report(new ProgressReport("count", endToken, tokens.Length, "tokens"));
    }

    private void Merge(CountTable table, long tokensDone, string fingerprint)
    {
        progress?.Report(new ProgressReport("merge", Merges, null, "merges"));
        // A cluster store names this merge's batches by where it ends: a resumed run, whose merges end at the same
        // positions (they depend only on the table filling up), replays a half-applied merge under the same ids.
        (store as GarnetCountStore)?.BeginBatchScope(tokensDone.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.Drain(store.AddBatch);
        progress?.Report(new ProgressReport("checkpoint", Merges, null, "checkpoints"));
        store.Checkpoint(new CountProgress(tokensDone, fingerprint).ToBytes());
        Merges++;
    }
}
