using LmCompare.Core;
using LmCompare.Counting.Backends;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// The Kneser-Ney pipeline one partition at a time (<see cref="LastWordPartition"/>), for builds whose n-grams do not fit
/// --memory, with bit-identical results. Stages <b>count</b> and <b>adjust</b> run per partition (every suffix of an
/// n-gram shares its last word) and spill the partition to files. A context's sums gather n-grams of every partition,
/// so n-grams are regrouped by the partition of their context (stage <b>initial</b>: denominators and gamma; initial
/// probabilities go back to the n-gram's partition). <b>Interpolate</b> then runs partition by partition. Each n-gram's
/// store index is its partition's offset plus its index in the partition; its context's index is known from stage
/// initial, so the store keeps the same exact (context, word) records as a build held in memory.
/// </summary>
internal sealed class PartitionedEstimate(string workDirectory, int partitions, KneserNeySettings settings, IProgress<ProgressReport>? progress)
{
    private readonly int _n = settings.Order;
    private long[,] _sizes = new long[0, 0];   // [partition, order-1]
    private long[,] _offsets = new long[0, 0]; // [order-1, partition]
    private Discount[] _discounts = [];
    private float _uniDenominator, _uniGamma, _uniform;

    public Discount[] Discounts => _discounts;

    public long[] NGramCounts => Enumerable.Range(0, _n).Select(k => Enumerable.Range(0, partitions).Sum(s => _sizes[s, k])).ToArray();

    /// <summary>Runs stages count to initial; then <see cref="Records"/> interpolates and yields every n-gram, partition by partition.</summary>
    public void Prepare(ICountingBackend counts, int[] quirk, int vocabularySize)
    {
        Directory.CreateDirectory(workDirectory);
        _sizes = new long[partitions, _n];
        var countOfCounts = Enumerable.Range(0, _n).Select(_ => new long[5]).ToArray();
        var unigramSums = new InitialStage(1);
        for (int s = 0; s < partitions; s++)
        {
            progress?.Report(new ProgressReport("count, adjust (partition)", s, partitions, "partitions"));
            AdjustPartition(counts, s, quirk, vocabularySize, countOfCounts, unigramSums);
            ReleaseMemory();
        }
        _discounts = Enumerable.Range(1, _n)
            .Select(k => DiscountStage.FromCountOfCounts(countOfCounts[k - 1], k, settings.DiscountFallback)).ToArray();
        _offsets = new long[_n, partitions];
        for (int k = 0; k < _n; k++)
            for (int s = 1; s < partitions; s++) _offsets[k, s] = _offsets[k, s - 1] + _sizes[s - 1, k];
        var (denominator, gamma) = unigramSums.Finish(_discounts[0]);
        (_uniDenominator, _uniGamma) = (denominator[0], gamma[0]);
        _uniform = InterpolateStage.Uniform(NGramCounts[0]);
        for (int h = 0; h < partitions; h++)
        {
            progress?.Report(new ProgressReport("initial (partition)", h, partitions, "partitions"));
            for (int k = 2; k <= _n; k++) Initial(h, k);
            ReleaseMemory();
        }
    }

    /// <summary>
    /// A partition's tables are garbage once written; a full blocking collection returns them before the next partition,
    /// so the process stays near one partition's size (the collector would otherwise let the garbage of several pile up).
    /// </summary>
    private static void ReleaseMemory()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private string FileOf(string kind, int partition, int order) => Path.Combine(workDirectory, $"{kind}-{partition}-{order}.bin");

    private static BinaryWriter Writer(string path, FileMode mode = FileMode.Create) =>
        new(new FileStream(path, mode, FileAccess.Write, FileShare.None, 1 << 16));

    private static BinaryReader Reader(string path) => new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16));

    /// <summary>Stages count and adjust for one partition: its tables of every order, to files; orders 2+ also to their
    /// context's partition.</summary>
    private void AdjustPartition(ICountingBackend counts, int s, int[] quirk, int vocabularySize, long[][] countOfCounts, InitialStage unigramSums)
    {
        var partition = new LastWordPartition(s, partitions);
        var tables = counts.ReadNGrams(_n, partition, progress);
        AdjustStage.Run(tables, partition, vocabularySize, settings.WholeVocabulary);
        for (int k = 1; k <= _n; k++)
        {
            var table = tables[k - 1];
            DiscountStage.AddCountOfCounts(table, k, _n, quirk, countOfCounts[k - 1]);
            _sizes[s, k - 1] = table.Count;
            WriteTable(FileOf("table", s, k), table);
            if (k >= 2) WriteByContextPartition(table, s, k);
        }
        for (int i = 0; i < tables[0].Count; i++) unigramSums.Add(0, tables[0].Adjusted[i]);
    }

    private static void WriteTable(string path, NGramTable table)
    {
        using var writer = Writer(path);
        writer.Write(table.Count);
        for (int i = 0; i < table.Count; i++)
        {
            foreach (int w in table.Words(i)) writer.Write(w);
            writer.Write(table.Adjusted[i]);
        }
    }

    private static NGramTable ReadTable(string path, int order)
    {
        using var reader = Reader(path);
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

    /// <summary>Appends (partition, index, words, count) of every n-gram to the file of its context's partition (by the
    /// context's last word).</summary>
    private void WriteByContextPartition(NGramTable table, int s, int k)
    {
        var writers = new BinaryWriter?[partitions];
        try
        {
            for (int i = 0; i < table.Count; i++)
            {
                var words = table.Words(i);
                int h = LastWordPartition.Of(words[k - 2], partitions);
                var writer = writers[h] ??= Writer(FileOf("bycontext", h, k), FileMode.Append);
                writer.Write(s);
                writer.Write(i);
                foreach (int w in words) writer.Write(w);
                writer.Write(table.Adjusted[i]);
            }
        }
        finally
        {
            foreach (var writer in writers) writer?.Dispose();
        }
    }

    private IEnumerable<(int Partition, int Index, int[] Words, long Count)> ReadByContextPartition(int h, int k)
    {
        string path = FileOf("bycontext", h, k);
        if (!File.Exists(path)) yield break;
        using var reader = Reader(path);
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            int s = reader.ReadInt32(), i = reader.ReadInt32();
            var words = new int[k];
            for (int j = 0; j < k; j++) words[j] = reader.ReadInt32();
            yield return (s, i, words, reader.ReadInt64());
        }
    }

    /// <summary>
    /// Stage initial for the order-k n-grams whose context lies in partition h: per context the denominator and gamma
    /// (kept for its backoff), per n-gram its initial probability, context gamma and context index (sent to its own partition).
    /// </summary>
    private void Initial(int h, int k)
    {
        var contexts = ReadTable(FileOf("table", h, k - 1), k - 1);
        var sums = new InitialStage(contexts.Count);
        foreach (var (_, _, words, count) in ReadByContextPartition(h, k)) sums.Add(contexts.Find(words.AsSpan(0, k - 1)), count);
        var (denominator, gamma) = sums.Finish(_discounts[k - 1]);
        using (var writer = Writer(FileOf("contextsums", h, k - 1)))
            for (int c = 0; c < contexts.Count; c++) { writer.Write(denominator[c]); writer.Write(gamma[c]); }
        var writers = new BinaryWriter?[partitions];
        try
        {
            foreach (var (s, i, words, count) in ReadByContextPartition(h, k))
            {
                int c = contexts.Find(words.AsSpan(0, k - 1));
                var writer = writers[s] ??= Writer(FileOf("initial", s, k), FileMode.Append);
                writer.Write(i);
                writer.Write((int)(_offsets[k - 2, h] + c));
                writer.Write(InitialStage.Initial(_discounts[k - 1], count, denominator[c]));
                writer.Write(gamma[c]);
            }
        }
        finally
        {
            foreach (var writer in writers) writer?.Dispose();
        }
    }

    /// <summary>Stage interpolate, partition by partition: every n-gram's store key and record.</summary>
    public IEnumerable<(long Key, NGramRecord Record)> Records()
    {
        for (int s = 0; s < partitions; s++)
        {
            progress?.Report(new ProgressReport("interpolate (partition)", s, partitions, "partitions"));
            foreach (var record in InterpolatePartition(s)) yield return record;
            ReleaseMemory();
        }
    }

    private List<(long Key, NGramRecord Record)> InterpolatePartition(int s)
    {
        var output = new List<(long, NGramRecord)>();
        var tables = new NGramTable[_n];
        float[] lower = [];
        for (int k = 1; k <= _n; k++)
        {
            var table = tables[k - 1] = ReadTable(FileOf("table", s, k), k);
            var (context, initial, gamma) = k == 1 ? UnigramInitial(table) : ReadInitial(s, k, table.Count);
            var (backoffDenominator, backoffGamma) = ReadContextSums(s, k, table.Count);
            var linear = new float[table.Count];
            for (int i = 0; i < table.Count; i++)
            {
                var words = table.Words(i);
                float p = InterpolateStage.Probability(initial[i], gamma[i], k == 1 ? _uniform : lower[tables[k - 2].Find(words[1..])]);
                linear[i] = p;
                float prob = InterpolateStage.Log10Prob(p, k, words[0]);
                float backoff = k < _n ? InterpolateStage.Log10Backoff(backoffDenominator[i], backoffGamma[i], words[^1]) : 0f;
                output.Add((NGramRecord.Key(k, _offsets[k - 1, s] + i), new NGramRecord(context[i], words[^1], table.Adjusted[i], prob, backoff)));
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
            initial[i] = InitialStage.Initial(_discounts[0], unigrams.Adjusted[i], _uniDenominator);
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
        using var reader = Reader(FileOf("initial", s, k));
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
        string path = FileOf("contextsums", s, k);
        if (k == _n || !File.Exists(path)) return (denominator, gamma);
        using var reader = Reader(path);
        for (int c = 0; c < count; c++) { denominator[c] = reader.ReadSingle(); gamma[c] = reader.ReadSingle(); }
        return (denominator, gamma);
    }
}
