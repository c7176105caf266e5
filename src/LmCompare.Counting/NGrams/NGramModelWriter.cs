using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Pairs;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.NGrams;

/// <summary>Resume state stored with each checkpoint of the model store.</summary>
public sealed record NGramStoreProgress(long RecordsWritten, string Fingerprint);

/// <summary>
/// Stages <b>store</b>, <b>evaluate</b> and <b>commit</b> of an n-gram build: every n-gram with its count, probability
/// and backoff into the FASTER model store (checkpointed with the number of records written, so a killed build resumes
/// where its last checkpoint ends), KenLM's figures on valid and test when the model is held whole, the manifest last.
/// </summary>
internal sealed class NGramModelWriter(TokenizedCorpus corpus, ModelFolder folder, string modelName, Dictionary<string, double> stages,
    Stopwatch clock, IProgress<ProgressReport>? progress)
{
    public TokenizedCorpus Corpus => corpus;
    public ModelFolder Folder => folder;
    public Dictionary<string, double> Stages => stages;

    /// <summary>Stores <paramref name="data"/> (resuming a store written under the same <paramref name="fingerprint"/>),
    /// evaluates, commits.</summary>
    public NGramBuildResult Store(ModelRecords data, string fingerprint, long memory, ExistingModel existing, int checkpointSeconds,
        Func<NGramModelManifest, NGramModelManifest> finish)
    {
        var stage = Stopwatch.StartNew();
        long total = data.Counts.Sum();
        var storeSettings = new FasterStoreSettings
        {
            Directory = folder.FilePath(NGramModelBuilder.StoreFolder),
            IndexBuckets = FasterStoreSettings.BucketsFor(total),
            LogMemoryBytes = Math.Max(16L << 20, memory / 4),
        };
        var (store, written) = OpenStore(folder, storeSettings, fingerprint, existing);
        using (store) WriteRecords(store, data, written, fingerprint, checkpointSeconds);
        stages["store"] = stage.Elapsed.TotalSeconds;
        stage.Restart();
        KenLmPerplexity? test = null, valid = null;
        if (data.Model is { } inMemory) // a partitioned estimate is not held whole: lmc ngram eval loads it
        {
            progress?.Report(new ProgressReport("evaluate", 0, null, "tokens"));
            using var model = new NGramModel(modelName, corpus.Vocabulary, inMemory, new ModelFootprint(total, 0, total));
            test = KenLmPerplexity.Compute(model, corpus.ReadTokens(Splits.Test));
            valid = KenLmPerplexity.Compute(model, corpus.ReadTokens(Splits.Valid));
            stages["evaluate"] = stage.Elapsed.TotalSeconds;
        }
        var manifest = finish(new NGramModelManifest
        {
            Name = modelName, Corpus = corpus.Name, CorpusFingerprint = corpus.Fingerprint(), VocabularySize = corpus.Vocabulary.Count,
            Order = data.Counts.Length, Source = "", DiscountFallback = false, NGramCounts = data.Counts,
            Discounts = data.Discounts.Select(d => new[] { d.D1, d.D2, d.D3Plus }).ToArray(), Tool = ToolInfo.Description,
            CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            BuildSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3), StageSeconds = stages.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 3)),
            TestTokens = test?.Tokens ?? 0, TestOov = test?.Oov ?? 0, TestPerplexity = Finite(test?.Perplexity),
                TestPerplexityExclOov = Finite(test?.PerplexityExclOov),
            ValidPerplexity = Finite(valid?.Perplexity), BytesOnDisk = folder.BytesOnDisk(),
        });
        AtomicFile.WriteAllText(folder.ManifestPath, manifest.ToJson());
        return new NGramBuildResult(folder.Path, manifest, false, written);
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? Math.Round(v, 6) : null;

    private static (FasterRecordStore<NGramRecord> Store, long Written) OpenStore(ModelFolder folder, FasterStoreSettings settings,
        string fingerprint, ExistingModel existing)
    {
        bool hasCheckpoint = StoreCheckpoints.HasComplete(settings.Directory);
        if (existing != ExistingModel.Resume || !hasCheckpoint)
        {
            folder.Clear();
            return (FasterRecordStore<NGramRecord>.Create(settings), 0);
        }
        var store = FasterRecordStore<NGramRecord>.Open(settings);
        var progress = store.RecoveredCookie.Length == 0 ? null : JsonSerializer.Deserialize<NGramStoreProgress>(store.RecoveredCookie);
        if (progress is null || progress.Fingerprint != fingerprint)
        {
            store.Dispose();
            throw new UsageException($"{folder.Path}: the unfinished build used another corpus or other settings (--order, --discount-fallback); " +
                $"use --force to start over");
        }
        return (store, progress.RecordsWritten);
    }

    /// <summary>Records in their fixed sequence, from <paramref name="from"/> on, checkpointed as they go.</summary>
    private void WriteRecords(FasterRecordStore<NGramRecord> store, ModelRecords data, long from, string fingerprint, int checkpointSeconds)
    {
        long total = data.Counts.Sum(), sequence = 0;
        int batch = (int)Math.Clamp(total / 16, 4096, 1 << 20); // at least ~16 batches, so checkpoints can fall between them
        var keys = new long[batch];
        var records = new NGramRecord[batch];
        int filled = 0;
        var clock = Stopwatch.StartNew();
        foreach (var (key, record) in data.Records)
        {
            if (sequence++ < from) continue;
            keys[filled] = key;
            records[filled++] = record;
            if (filled < batch) continue;
            store.Upsert(keys, records);
            filled = 0;
            progress?.Report(new ProgressReport("store", sequence, total, "n-grams"));
            if (clock.Elapsed.TotalSeconds >= checkpointSeconds)
            {
                progress?.Report(new ProgressReport("checkpoint", sequence, total, "n-grams"));
                store.Checkpoint(JsonSerializer.SerializeToUtf8Bytes(new NGramStoreProgress(sequence, fingerprint)));
                clock.Restart();
            }
        }
        store.Upsert(keys.AsMemory(0, filled), records.AsMemory(0, filled));
        progress?.Report(new ProgressReport("checkpoint", total, total, "n-grams"));
        store.Checkpoint(JsonSerializer.SerializeToUtf8Bytes(new NGramStoreProgress(total, fingerprint)));
    }
}

/// <summary>A model on its way into the store: n-gram counts per order, discounts, every record in a fixed sequence,
/// and the whole model when it is held in memory (for evaluation at build time).</summary>
internal sealed record ModelRecords(long[] Counts, Discount[] Discounts, IEnumerable<(long Key, NGramRecord Record)> Records, NGramModelData? Model)
{
    public static ModelRecords From(NGramModelData data) =>
        new(data.Tables.Select(t => (long)t.Count).ToArray(), data.Discounts, Sequence(data), data);

    private static IEnumerable<(long, NGramRecord)> Sequence(NGramModelData data)
    {
        for (int k = 1; k <= data.Order; k++)
        {
            var table = data.Tables[k - 1];
            var contexts = data.ContextsOf(k);
            for (int i = 0; i < table.Count; i++)
                yield return (NGramRecord.Key(k, i), new NGramRecord(contexts[i], table.Words(i)[^1], table.Adjusted[i], table.Prob[i],
                    table.Backoff[i]));
        }
    }
}
