using LmCompare.Corpus.Models;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Counting.Pairs;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.NGrams;

/// <summary>Opens a built n-gram model: manifest, its corpus's vocabulary (checked) and every n-gram from the FASTER store.</summary>
public static class NGramModelLoader
{
    public static (NGramModelManifest Manifest, string Directory) ReadManifest(Workspace workspace, string name)
    {
        string directory = ModelManifestFile.Locate(workspace, name);
        return (NGramModelManifest.Load(Path.Combine(directory, "manifest.json")), directory);
    }

    public static NGramModel Load(Workspace workspace, string name)
    {
        var (manifest, directory) = ReadManifest(workspace, name);
        var corpus = manifest.OpenCorpus(workspace, "(it was re-ingested); rebuild the model");
        string storeDirectory = Path.Combine(directory, NGramModelBuilder.StoreFolder);
        Dictionary<long, NGramRecord> records;
        using (var store = FasterRecordStore<NGramRecord>.Open(new FasterStoreSettings { Directory = storeDirectory, IndexBuckets = 1 << 12,
            LogMemoryBytes = 64L << 20, Threads = 1 }))
            records = store.ReadAll();
        var tables = Rebuild(records, manifest, corpus.Vocabulary.Count, Path.Combine(storeDirectory, "hlog.log"));
        var discounts = manifest.Discounts.Select(d => new Discount(d[0], d[1], d[2])).ToArray();
        var data = new NGramModelData(tables, discounts, Enumerable.Range(0, corpus.Vocabulary.Count).ToArray());
        long total = manifest.NGramCounts.Sum();
        return new NGramModel(name, corpus.Vocabulary, data, new ModelFootprint(total, manifest.BytesOnDisk, total));
    }

    /// <summary>Spells out every n-gram from its (context, word) record, order by order, so table index = stored index.</summary>
    private static NGramTable[] Rebuild(Dictionary<long, NGramRecord> records, NGramModelManifest manifest, int vocabularySize, string storeFile)
    {
        var tables = new NGramTable[manifest.Order];
        Span<int> words = stackalloc int[manifest.Order];
        for (int k = 1; k <= manifest.Order; k++)
        {
            long count = manifest.NGramCounts[k - 1];
            var table = tables[k - 1] = new NGramTable(k, (int)Math.Max(16, count));
            var values = new (long Count, float Prob, float Backoff)[count];
            for (int i = 0; i < count; i++)
            {
                if (!records.TryGetValue(NGramRecord.Key(k, i), out var record) || (uint)record.Word >= (uint)vocabularySize
                    || (k > 1 && (uint)record.Context >= (uint)tables[k - 2].Count))
                    throw new InputException($"{storeFile}: the model store is incomplete or corrupt ({k}-gram {i} missing or invalid)");
                if (k > 1) tables[k - 2].Words(record.Context).CopyTo(words);
                words[k - 1] = record.Word;
                table.FindOrAdd(words[..k], out bool added);
                if (!added) throw new InputException($"{storeFile}: the model store is corrupt ({k}-gram {i} is a duplicate)");
                values[i] = (record.Count, record.Prob, record.Backoff);
            }
            table.AllocateValues();
            for (int i = 0; i < count; i++) { table.Adjusted[i] = values[i].Count; table.Prob[i] = values[i].Prob;
                table.Backoff[i] = values[i].Backoff; }
        }
        return tables;
    }
}
