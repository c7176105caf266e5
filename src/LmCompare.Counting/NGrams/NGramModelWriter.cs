using System.Diagnostics;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams.Mapped;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// Stages <b>store</b>, <b>evaluate</b>, <b>binary</b> and <b>commit</b> of an n-gram build: every n-gram with its count,
/// probability and backoff into the model file (<see cref="NGramModelFile"/>, written whole or not at all: a killed build
/// writes it again from the estimate, which keeps its own stages), KenLM's figures on valid and test when the model is
/// held whole, the files scored in place (<see cref="TrieNGramModel"/> and, for --format probing,
/// <see cref="ProbingNGramModel"/>; each from the model file within half of <paramref name="memoryBytes"/>), the manifest last.
/// </summary>
internal sealed class NGramModelWriter(TokenizedCorpus corpus, ModelFolder folder, string modelName, Dictionary<string, double> stages,
    Stopwatch clock, IProgress<ProgressReport>? progress, long memoryBytes, string format)
{
    public TokenizedCorpus Corpus => corpus;
    public ModelFolder Folder => folder;
    public Dictionary<string, double> Stages => stages;

    /// <summary>Writes the model file, evaluates, commits.</summary>
    public NGramBuildResult Store(ModelRecords data, Func<NGramModelManifest, NGramModelManifest> finish)
    {
        var stage = Stopwatch.StartNew();
        long[] counts = data.Counts;
        var discounts = data.Discounts;
        var (test, valid) = WriteAndEvaluate(data);
        BuildMemory.Release(); // the estimate held whole is no longer referenced: give its memory back before stage binary
        stage.Restart();
        progress?.Report(new ProgressReport("binary", 0, null, "orders"));
        string bin = folder.FilePath(NGramModelFile.FileName), probing = folder.FilePath(ProbingNGramModel.FileName);
        string trie = folder.FilePath(TrieNGramModel.FileName);
        if (format == KneserNeySettings.Probing)
        {
            // the two files from the same records, one per core, sharing the stage's half of the budget
            var trieTask = Task.Run(() => TrieWriter.Write(bin, counts, corpus.Vocabulary.Count, trie, memoryBytes / 4));
            try { ProbingWriter.Write(bin, counts, corpus.Vocabulary.Count, probing, memoryBytes / 4); }
            finally { ((IAsyncResult)trieTask).AsyncWaitHandle.WaitOne(); } // never leave the trie writer running on a failure
            trieTask.GetAwaiter().GetResult();
        }
        else TrieWriter.Write(bin, counts, corpus.Vocabulary.Count, trie, memoryBytes / 2);
        stages["binary"] = stage.Elapsed.TotalSeconds;
        var manifest = finish(new NGramModelManifest
        {
            Name = modelName, Corpus = corpus.Name, CorpusFingerprint = corpus.Fingerprint(),
                CorpusQuickFingerprint = corpus.QuickFingerprint(), VocabularySize = corpus.Vocabulary.Count,
            Order = counts.Length, Source = "", DiscountFallback = false, NGramCounts = counts,
            Discounts = discounts.Select(d => new[] { d.D1, d.D2, d.D3Plus }).ToArray(), Tool = ToolInfo.Description,
            CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            BuildSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3), StageSeconds = stages.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 3)),
            TestTokens = test?.Tokens ?? 0, TestOov = test?.Oov ?? 0, TestPerplexity = Finite(test?.Perplexity),
                TestPerplexityExclOov = Finite(test?.PerplexityExclOov),
            ValidPerplexity = Finite(valid?.Perplexity), BytesOnDisk = new FileInfo(bin).Length,
            ScoringFormat = format, ScoringBytes = new FileInfo(format == KneserNeySettings.Probing ? probing : trie).Length,
                TrieBytes = new FileInfo(trie).Length,
        });
        AtomicFile.WriteAllText(folder.ManifestPath, manifest.ToJson());
        return new NGramBuildResult(folder.Path, manifest, false);
    }

    /// <summary>Stages store and (for an estimate held whole) evaluate; the only use of the estimate's tables.</summary>
    private (KenLmPerplexity? Test, KenLmPerplexity? Valid) WriteAndEvaluate(ModelRecords data)
    {
        var stage = Stopwatch.StartNew();
        long total = data.Counts.Sum();
        folder.Clear();
        NGramModelFile.Write(folder.FilePath(NGramModelFile.FileName), data.Counts, data.Batches,
            written => progress?.Report(new ProgressReport("store", written, total, "n-grams")));
        stages["store"] = stage.Elapsed.TotalSeconds;
        stage.Restart();
        if (data.Model is not { } inMemory) return (null, null); // a partitioned estimate is not held whole: lmc ngram eval loads it
        progress?.Report(new ProgressReport("evaluate", 0, null, "tokens"));
        using var model = new NGramModel(modelName, corpus.Vocabulary, inMemory, new ModelFootprint(total, 0, total));
        var test = KenLmPerplexity.Compute(model, corpus.ReadTokens(Splits.Test));
        var valid = KenLmPerplexity.Compute(model, corpus.ReadTokens(Splits.Valid));
        stages["evaluate"] = stage.Elapsed.TotalSeconds;
        return (test, valid);
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? Math.Round(v, 6) : null;
}

/// <summary>A model on its way into the store: n-gram counts per order, discounts, every record in a fixed sequence (as
/// batches, see <see cref="NGramModelFile.Write"/>), and the whole model when it is held in memory (for evaluation at
/// build time).</summary>
internal sealed record ModelRecords(long[] Counts, Discount[] Discounts, IEnumerable<ReadOnlyMemory<NGramRecord>> Batches, NGramModelData? Model)
{
    public static ModelRecords From(NGramModelData data) =>
        new(data.Tables.Select(t => (long)t.Count).ToArray(), data.Discounts, SuffixOrderSequence.Batches(data), data);
}
