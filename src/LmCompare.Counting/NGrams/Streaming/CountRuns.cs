namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// Stage <b>count</b>'s output for the streaming estimate: per order, sorted runs of (key, raw count) records (stride k + 2,
/// <see cref="SuffixKey"/>), one per counted chunk or partition, merged with their counts added when stage adjust reads them.
/// </summary>
public sealed class CountRuns
{
    private readonly List<string>[] _runs;

    public CountRuns(int order)
    {
        _runs = Enumerable.Range(0, order).Select(_ => new List<string>()).ToArray();
    }

    public int Order => _runs.Length;

    public IReadOnlyList<string> RunsOf(int k) => _runs[k - 1];

    public void Add(int k, string path) => _runs[k - 1].Add(path);

    /// <summary>The table's n-grams sorted as a run at <paramref name="path"/> (written under a temporary name, then renamed).</summary>
    public static void WriteRun(NGramTable table, string path)
    {
        int k = table.Order, stride = k + 2;
        var records = new int[table.Count * stride];
        for (int i = 0; i < table.Count; i++)
        {
            var record = records.AsSpan(i * stride, stride);
            SuffixKey.FromWords(table.Words(i), record);
            SuffixKey.SetLong(record, k, table.Raw[i]);
        }
        var sorted = RecordRadixSort.Sort(records, new int[records.Length], table.Count, stride, k);
        string temp = path + ".tmp";
        using (var writer = new RecordWriter(temp, stride)) writer.WriteMany(sorted);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Order k's counts, merged: one record per n-gram, raw counts added over the runs.</summary>
    public IRecordSource Merged(int k) =>
        new RecordMerge(_runs[k - 1].Select(r => (IRecordSource)new RecordReader(r, k + 2)).ToList(), k, SuffixKey.AddRaw(k));

    public void Delete()
    {
        foreach (var runs in _runs)
        {
            foreach (string run in runs) File.Delete(run);
            runs.Clear();
        }
    }
}
