using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// <see cref="KneserNeyEstimator"/> in bounded memory, for corpora whose n-grams do not fit the --memory budget, with
/// bit-identical results. N-grams are sharded by their last word, which all their suffixes share, so counting and
/// adjusting one shard needs only that shard (stage <b>count</b>, once per shard, to files). A context's sums gather
/// n-grams of every shard, so n-grams are regrouped by the shard of their context (<b>context sums</b>: denominators and
/// gamma; initial probabilities go back to the n-gram's shard). <b>Interpolate</b> then runs shard by shard: suffixes
/// stay in the shard. Each n-gram's store index is its shard's offset plus its index in the shard; its context's
/// index is known from the context-sum stage, so the store keeps the same exact (context, word) records.
/// </summary>
internal sealed class ShardedKneserNeyEstimator(string workDirectory, int shards, KneserNeySettings settings, IProgress<ProgressReport>? progress)
{
    private const int Bos = SpecialTokens.SentenceStartId, Eos = SpecialTokens.SentenceEndId, Unk = SpecialTokens.UnknownId;
    private readonly int _n = settings.Order;
    private long[,] _sizes = new long[0, 0];   // [shard, order-1]
    private long[,] _offsets = new long[0, 0]; // [order-1, shard]
    private Discount[] _discounts = [];
    private float _uniDenominator, _uniGamma, _uniform;

    public Discount[] Discounts => _discounts;

    public long[] NGramCounts => Enumerable.Range(0, _n).Select(k => Enumerable.Range(0, shards).Sum(s => _sizes[s, k])).ToArray();

    /// <summary>Runs the counting and context stages; then <see cref="Records"/> yields every n-gram shard by shard.</summary>
    public void Prepare(ReadOnlySpan<int> tokens, int vocabularySize)
    {
        Directory.CreateDirectory(workDirectory);
        var rank = KneserNeyEstimator.KenLmRanks(tokens, vocabularySize);
        _sizes = new long[shards, _n];
        var countOfCounts = Enumerable.Range(0, _n).Select(_ => new long[5]).ToArray();
        var uniSum = new long[1];
        var uniByCount = new long[4];
        for (int s = 0; s < shards; s++)
        {
            progress?.Report(new ProgressReport("count (shard)", s, shards, "shards"));
            CountShard(tokens, rank, s, countOfCounts, uniSum, uniByCount);
            ReleaseMemory();
        }
        _discounts = Enumerable.Range(1, _n).Select(k => KneserNeyEstimator.DiscountFromCountOfCounts(countOfCounts[k - 1], k,
            settings.DiscountFallback)).ToArray();
        _offsets = new long[_n, shards];
        for (int k = 0; k < _n; k++)
            for (int s = 1; s < shards; s++) _offsets[k, s] = _offsets[k, s - 1] + _sizes[s - 1, k];
        var (denominator, gamma) = KneserNeyEstimator.FinishContextSums(uniSum, uniByCount, _discounts[0]);
        (_uniDenominator, _uniGamma) = (denominator[0], gamma[0]);
        _uniform = (float)(1.0 / (NGramCounts[0] - 1)); // includes <unk>, excludes <s>
        for (int h = 0; h < shards; h++)
        {
            progress?.Report(new ProgressReport("context sums (shard)", h, shards, "shards"));
            for (int k = 2; k <= _n; k++) ContextSums(h, k);
            ReleaseMemory();
        }
    }

    /// <summary>
    /// A shard's tables are garbage once written; a full blocking collection returns them before the next shard, so the
    /// process stays near one shard's size (the collector would otherwise let the garbage of several pile up).
    /// </summary>
    private static void ReleaseMemory()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private string File_(string kind, int shard, int order) => Path.Combine(workDirectory, $"{kind}-{shard}-{order}.bin");

    /// <summary>Stage "count" for one shard: its tables of every order, to files; n-grams of order 2+ also to their context's shard.</summary>
    private void CountShard(ReadOnlySpan<int> tokens, int[] rank, int s, long[][] countOfCounts, long[] uniSum, long[] uniByCount)
    {
        var tables = new NGramTable[_n];
        int perShard = Math.Max(1024, tokens.Length / shards);
        for (int k = 1; k <= _n; k++) tables[k - 1] = new NGramTable(k, k == 1 ? 1024 : k == 2 ? perShard / 3 : perShard);
        var quirk = KneserNeyEstimator.CountPadded(tokens, tables, rank, shards, s);
        for (int order = _n - 1; order >= 1; order--) KneserNeyEstimator.AddSuffixes(tables[order], tables[order - 1]);
        foreach (var table in tables) KneserNeyEstimator.SetKneserNeyCounts(table, table.Order == _n);
        foreach (int special in new[] { Unk, Bos })
            if (KneserNeyEstimator.ShardOf(special, shards) == s) tables[0].FindOrAdd([special], out _);
        for (int k = 1; k <= _n; k++)
        {
            var table = tables[k - 1];
            KneserNeyEstimator.AddCountOfCounts(table, k, _n, quirk, countOfCounts[k - 1]);
            _sizes[s, k - 1] = table.Count;
            WriteTable(File_("table", s, k), table);
            if (k >= 2) WriteByContextShard(table, s, k);
        }
        for (int i = 0; i < tables[0].Count; i++)
        {
            long count = tables[0].Adjusted[i];
            uniSum[0] += count;
            if (count > 0) uniByCount[Math.Min(count, 3)]++;
        }
    }

    private static void WriteTable(string path, NGramTable table)
    {
        using var writer = new BinaryWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16));
        writer.Write(table.Count);
        for (int i = 0; i < table.Count; i++)
        {
            foreach (int w in table.Words(i)) writer.Write(w);
            writer.Write(table.Adjusted[i]);
        }
    }

    private static NGramTable ReadTable(string path, int order)
    {
        using var reader = new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16));
        int count = reader.ReadInt32();
        var table = new NGramTable(order, Math.Max(16, count));
        Span<int> words = stackalloc int[order];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < order; j++) words[j] = reader.ReadInt32();
            int index = table.FindOrAdd(words, out _);
            table.Adjusted[index] = reader.ReadInt64();
        }
        return table;
    }

    /// <summary>Appends (shard, index, words, count) of every n-gram to the file of its context's shard (by the context's last word).</summary>
    private void WriteByContextShard(NGramTable table, int s, int k)
    {
        var byShard = Enumerable.Range(0, table.Count).GroupBy(i => KneserNeyEstimator.ShardOf(table.Words(i)[k - 2], shards));
        foreach (var group in byShard)
        {
            using var writer = new BinaryWriter(new FileStream(File_("bycontext", group.Key, k), FileMode.Append, FileAccess.Write, FileShare.None,
                1 << 16));
            foreach (int i in group)
            {
                writer.Write(s);
                writer.Write(i);
                foreach (int w in table.Words(i)) writer.Write(w);
                writer.Write(table.Adjusted[i]);
            }
        }
    }

    private IEnumerable<(int Shard, int Index, int[] Words, long Count)> ReadByContextShard(int h, int k)
    {
        string path = File_("bycontext", h, k);
        if (!File.Exists(path)) yield break;
        using var reader = new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16));
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            int s = reader.ReadInt32(), i = reader.ReadInt32();
            var words = new int[k];
            for (int j = 0; j < k; j++) words[j] = reader.ReadInt32();
            yield return (s, i, words, reader.ReadInt64());
        }
    }

    /// <summary>
    /// Stage "context sums" for the order-k n-grams whose context lies in shard h: per context the denominator and gamma
    /// (kept for its backoff), per n-gram its initial probability, context gamma and context index (sent to its own shard).
    /// </summary>
    private void ContextSums(int h, int k)
    {
        var contexts = ReadTable(File_("table", h, k - 1), k - 1);
        var sum = new long[contexts.Count];
        var byCount = new long[contexts.Count * 4];
        foreach (var (_, _, words, count) in ReadByContextShard(h, k))
        {
            int c = contexts.Find(words.AsSpan(0, k - 1));
            sum[c] += count;
            if (count > 0) byCount[c * 4 + Math.Min(count, 3)]++;
        }
        var (denominator, gamma) = KneserNeyEstimator.FinishContextSums(sum, byCount, _discounts[k - 1]);
        using (var writer = new BinaryWriter(File.Create(File_("contextsums", h, k - 1))))
            for (int c = 0; c < contexts.Count; c++) { writer.Write(denominator[c]); writer.Write(gamma[c]); }
        var initial = ReadByContextShard(h, k).Select(e =>
        {
            int c = contexts.Find(e.Words.AsSpan(0, k - 1));
            return (e.Shard, e.Index, Context: (int)(_offsets[k - 2, h] + c), Initial: _discounts[k - 1].Apply(e.Count) / denominator[c],
                Gamma: gamma[c]);
        });
        foreach (var group in initial.GroupBy(e => e.Shard))
        {
            using var writer = new BinaryWriter(new FileStream(File_("initial", group.Key, k), FileMode.Append, FileAccess.Write, FileShare.None,
                1 << 16));
            foreach (var e in group) { writer.Write(e.Index); writer.Write(e.Context); writer.Write(e.Initial); writer.Write(e.Gamma); }
        }
    }

    /// <summary>Stage "interpolate", shard by shard: every n-gram's store key and record.</summary>
    public IEnumerable<(long Key, NGramRecord Record)> Records()
    {
        for (int s = 0; s < shards; s++)
        {
            progress?.Report(new ProgressReport("interpolate (shard)", s, shards, "shards"));
            foreach (var record in InterpolateShard(s)) yield return record;
            ReleaseMemory();
        }
    }

    private List<(long Key, NGramRecord Record)> InterpolateShard(int s)
    {
        var output = new List<(long, NGramRecord)>();
        var tables = new NGramTable[_n];
        float[] lower = [];
        for (int k = 1; k <= _n; k++)
        {
            var table = tables[k - 1] = ReadTable(File_("table", s, k), k);
            var (context, initial, gamma) = k == 1 ? UnigramInitial(table) : ReadInitial(s, k, table.Count);
            var (backoffDenominator, backoffGamma) = ReadContextSums(s, k, table.Count);
            var linear = new float[table.Count];
            for (int i = 0; i < table.Count; i++)
            {
                var words = table.Words(i);
                float p = initial[i] + gamma[i] * (k == 1 ? _uniform : lower[tables[k - 2].Find(words[1..])]);
                linear[i] = p;
                float prob = k == 1 && words[0] == Bos ? 0f : Math.Min(0f, MathF.Log10(p));
                int last = words[^1];
                float backoff = k < _n && backoffDenominator[i] > 0 && last != Eos ? MathF.Log10(backoffGamma[i]) : 0f;
                output.Add((NGramRecord.Key(k, _offsets[k - 1, s] + i), new NGramRecord(context[i], last, table.Adjusted[i], prob, backoff)));
            }
            lower = linear;
        }
        return output;
    }

    private (int[] Context, float[] Initial, float[] Gamma) UnigramInitial(NGramTable unigrams)
    {
        var initial = new float[unigrams.Count];
        var gamma = new float[unigrams.Count];
        for (int i = 0; i < unigrams.Count; i++)
        {
            initial[i] = _discounts[0].Apply(unigrams.Adjusted[i]) / _uniDenominator;
            gamma[i] = _uniGamma;
        }
        return (new int[unigrams.Count], initial, gamma);
    }

    private (int[] Context, float[] Initial, float[] Gamma) ReadInitial(int s, int k, int count)
    {
        var context = new int[count];
        var initial = new float[count];
        var gamma = new float[count];
        if (count == 0) return (context, initial, gamma);
        using var reader = new BinaryReader(File.OpenRead(File_("initial", s, k)));
        for (int n = 0; n < count; n++)
        {
            int i = reader.ReadInt32();
            context[i] = reader.ReadInt32();
            initial[i] = reader.ReadSingle();
            gamma[i] = reader.ReadSingle();
        }
        return (context, initial, gamma);
    }

    private (float[] Denominator, float[] Gamma) ReadContextSums(int s, int k, int count)
    {
        var denominator = new float[count];
        var gamma = new float[count];
        string path = File_("contextsums", s, k);
        if (k == _n || !File.Exists(path)) return (denominator, gamma);
        using var reader = new BinaryReader(File.OpenRead(path));
        for (int c = 0; c < count; c++) { denominator[c] = reader.ReadSingle(); gamma[c] = reader.ReadSingle(); }
        return (denominator, gamma);
    }
}
