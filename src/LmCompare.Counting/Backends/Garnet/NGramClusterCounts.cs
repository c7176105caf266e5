using LmCompare.Counting.NGrams;
using LmCompare.Core;

namespace LmCompare.Counting.Backends.Garnet;

/// <summary>
/// N-gram counts in a Garnet cluster: the raw counts of the padded windows (stage "count" of
/// <see cref="KneserNeyPipeline"/>), keyed by the n-gram's word ids packed into 3 bytes each (an n-gram's order is its
/// field's length / 3), so a 5-gram's field is 15 bytes. Everything after counting (adjusting, discounts,
/// interpolation) needs every shard's counts and runs once, in finalize.
/// </summary>
public static class NGramClusterCounts
{
    /// <summary>Ids must fit the 3 bytes of a field.</summary>
    public const int MaxVocabulary = 1 << 24;

    private const int FieldsPerBatch = 1 << 16;

    public static void CheckVocabulary(int size)
    {
        if (size > MaxVocabulary)
            throw new InputException($"a vocabulary of {size:N0} words is beyond the cluster layout's {MaxVocabulary:N0} (3 bytes per id)");
    }

    public static byte[] Field(ReadOnlySpan<int> words)
    {
        var field = new byte[3 * words.Length];
        for (int i = 0; i < words.Length; i++)
            (field[3 * i], field[3 * i + 1], field[3 * i + 2]) = ((byte)words[i], (byte)(words[i] >> 8), (byte)(words[i] >> 16));
        return field;
    }

    public static int[] Words(ReadOnlySpan<byte> field)
    {
        var words = new int[field.Length / 3];
        for (int i = 0; i < words.Length; i++) words[i] = field[3 * i] | field[3 * i + 1] << 8 | field[3 * i + 2] << 16;
        return words;
    }

    /// <summary>Sends one chunk's tables as fields, in batches of the batch scope the caller began.</summary>
    public static void Add(GarnetCountStore store, NGramTable[] tables)
    {
        var batch = new List<(byte[], long)>(FieldsPerBatch);
        foreach (var table in tables)
            for (int i = 0; i < table.Count; i++)
            {
                batch.Add((Field(table.Words(i)), table.Raw[i]));
                if (batch.Count == FieldsPerBatch) { store.AddFields(batch); batch.Clear(); }
            }
        if (batch.Count > 0) store.AddFields(batch);
    }

    /// <summary>Every counted n-gram of the partition from the cluster into tables of orders 1..<paramref name="order"/> (raw
    /// counts), sized once for the partition's share of a text of <paramref name="trainTokens"/> tokens (0: grown as read).</summary>
    public static NGramTable[] Read(GarnetCountStore store, int order, LastWordPartition partition, int vocabularySize, long trainTokens,
        IProgress<ProgressReport>? progress)
    {
        var tables = NGramCounter.NewTables(order, vocabularySize / partition.Count, Math.Max(1024, trainTokens / partition.Count));
        long read = 0;
        foreach (var (field, count) in store.ScanFields())
        {
            if (field.Length % 3 != 0 || field.Length / 3 is < 1 || field.Length / 3 > order)
                throw new InputException($"the cluster holds a field of {field.Length} bytes under model {store.Model}: not an n-gram of order " +
                    $"1..{order} (another kind of model under this name?)");
            var words = Words(field);
            if (!partition.Contains(words[^1])) continue;
            tables[words.Length - 1].AddRaw(words, count); // each n-gram is one field: added once
            if ((++read & 0xFFFFF) == 0) progress?.Report(new ProgressReport("read", read, null, "n-grams"));
        }
        return tables;
    }
}
