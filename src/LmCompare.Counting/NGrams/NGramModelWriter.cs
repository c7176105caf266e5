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
/// <see cref="ProbingNGramModel"/>), the manifest last. The trie is written on a thread of its own beside store and
/// evaluate, each order as soon as the model file holds it (<see cref="ModelFileOrders"/>), within half of
/// <paramref name="memoryBytes"/> (a quarter each with the probing file, which needs the model file whole and is written
/// after it); stage binary's time is what the scoring files take beyond store and evaluate.
/// </summary>
internal sealed class NGramModelWriter(TokenizedCorpus corpus, ModelFolder folder, string modelName, Dictionary<string, double> stages,
    Stopwatch clock, IProgress<ProgressReport>? progress, long memoryBytes, string format)
{
    public TokenizedCorpus Corpus => corpus;
    public ModelFolder Folder => folder;
    public Dictionary<string, double> Stages => stages;

    /// <summary>Writes the model file and the scoring files, evaluates, commits.</summary>
    public NGramBuildResult Store(ModelRecords data, Func<NGramModelManifest, NGramModelManifest> finish)
    {
        long[] counts = data.Counts;
        var discounts = data.Discounts;
        string bin = folder.FilePath(NGramModelFile.FileName), probing = folder.FilePath(ProbingNGramModel.FileName);
        string trie = folder.FilePath(TrieNGramModel.FileName);
        bool withProbing = format == KneserNeySettings.Probing;
        folder.Clear();
        var (test, valid) = WriteBesideTrie(data, bin, trie, withProbing ? memoryBytes / 4 : memoryBytes / 2,
            () => { if (withProbing) ProbingWriter.Write(bin, counts, corpus.Vocabulary.Count, probing, memoryBytes / 4); });
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
            ScoringFormat = format, ScoringBytes = new FileInfo(withProbing ? probing : trie).Length,
                TrieBytes = new FileInfo(trie).Length,
        });
        AtomicFile.WriteAllText(folder.ManifestPath, manifest.ToJson());
        return new NGramBuildResult(folder.Path, manifest, false);
    }

    /// <summary>Stages store and evaluate with the trie written beside them, then <paramref name="afterStore"/>; the first
    /// failure of either thread stops the other and is the one thrown.</summary>
    private (KenLmPerplexity? Test, KenLmPerplexity? Valid) WriteBesideTrie(ModelRecords data, string bin, string trie, long trieBytes,
        Action afterStore)
    {
        using var orders = ModelFileOrders.Growing(bin, data.Counts);
        var trieWriter = Task.Factory.StartNew(() =>
        {
            try { TrieWriter.Write(orders, data.Counts, corpus.Vocabulary.Count, trie, trieBytes); }
            catch (Exception e) { orders.Fail(e); throw; }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            var result = WriteAndEvaluate(data, orders);
            BuildMemory.Release(); // the estimate held whole is no longer referenced: give its memory back to the scoring files
            var stage = Stopwatch.StartNew();
            progress?.Report(new ProgressReport("binary", 0, null, "orders"));
            afterStore();
            trieWriter.GetAwaiter().GetResult();
            stages["binary"] = stage.Elapsed.TotalSeconds;
            return result;
        }
        catch (Exception e)
        {
            orders.Fail(e);
            ((IAsyncResult)trieWriter).AsyncWaitHandle.WaitOne(); // never leave the trie writer running on a failure
            if (e is OperationCanceledException && trieWriter.Exception?.InnerException is { } cause and not OperationCanceledException)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause); // the trie writer failed first: its reason
            throw;
        }
    }

    /// <summary>Stages store and (for an estimate held whole) evaluate; the only use of the estimate's tables.</summary>
    private (KenLmPerplexity? Test, KenLmPerplexity? Valid) WriteAndEvaluate(ModelRecords data, ModelFileOrders orders)
    {
        var stage = Stopwatch.StartNew();
        long total = data.Counts.Sum();
        NGramModelFile.Write(orders.Path, data.Counts, data.Batches,
            written => progress?.Report(new ProgressReport("store", written, total, "n-grams")), orders);
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
