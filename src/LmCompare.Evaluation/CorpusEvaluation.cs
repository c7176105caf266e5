using System.Diagnostics;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Evaluation.Analysis;
using LmCompare.Evaluation.Metrics;
using LmCompare.Evaluation.Reports;

namespace LmCompare.Evaluation;

/// <summary>A loaded model with what the evaluator shows about it but cannot see through the interface.</summary>
public sealed record EvaluatedModel(ILanguageModel Model, string Kind, IReadOnlyDictionary<string, string> Build)
{
    /// <summary>Seconds from reading its manifest to a model ready to score (for a mapped one: the mapping, not its pages).</summary>
    public double OpenSeconds { get; init; }
}

/// <param name="Split">The split scored: test (default) or valid.</param>
/// <param name="Mixtures">Pairs of model names to mix (a fitted on validation).</param>
/// <param name="DocumentScope">Also score every model in document scope.</param>
/// <param name="MixFitTokens">Validation tokens (whole lines) used to fit each mixture weight.</param>
/// <param name="Distances">Pair distances 1..N in the sparsity tables.</param>
/// <param name="MemoryBytes">Memory for the training keys of the sparsity and novelty analyses: held whole within it
/// (exact), else read from the training file in one pass (distinct counts estimated). Default 4 GB.</param>
/// <param name="ReuseAnalysis">Take the novelty and sparsity analyses from the corpus's cache when it holds them for this split
/// and N (<see cref="TrainingAnalysisCache"/>); false computes them again (and keeps the new ones).</param>
public sealed record EvaluationSettings(string Split = "test", IReadOnlyList<(string First, string Second)>? Mixtures = null,
    bool DocumentScope = true, long MixFitTokens = 30_000, int Distances = 8, long MemoryBytes = 4L << 30, bool ReuseAnalysis = true);

/// <summary>
/// The evaluation protocol of docs/ARCHITECTURE.md ("The evaluation protocol") for any set of models on one corpus: headline figures in
/// sentence scope with top-1/top-5 accuracy and context-novelty buckets, the same in document scope, mixtures,
/// and the sparsity of the training data. Models arrive through <see cref="ILanguageModel"/> only.
/// </summary>
public sealed class CorpusEvaluation(TokenizedCorpus corpus, IProgress<ProgressReport>? progress = null)
{
    public EvaluationReport Evaluate(IReadOnlyList<EvaluatedModel> models, EvaluationSettings settings)
    {
        try { return Run(models, settings); }
        catch (InputException)
        {
            foreach (var m in models) m.Model.EnsureIntact(); // a damaged file is named by its checksum first
            throw;
        }
    }

    private EvaluationReport Run(IReadOnlyList<EvaluatedModel> models, EvaluationSettings settings)
    {
        var clock = Stopwatch.StartNew();
        int split = Splits.Parse(settings.Split);
        foreach (var m in models)
            if (m.Model.Vocabulary.Count != corpus.Vocabulary.Count)
                throw new InputException($"model {m.Model.Name} has {m.Model.Vocabulary.Count} ids, corpus {corpus.Name} " +
                    $"{corpus.Vocabulary.Count}: built on another vocabulary");
        var tokens = corpus.ReadTokens(split);
        if (tokens.Length == 0) throw new InputException($"the {settings.Split} split of corpus {corpus.Name} is empty: nothing to evaluate");
        var documents = corpus.ReadDocuments(split);
        var mixtures = FitMixtures(models, settings);

        var analysisClock = Stopwatch.StartNew();
        var analysis = Analysis(tokens, documents, settings);
        double analysisSeconds = analysisClock.Elapsed.TotalSeconds;
        var novelty = analysis.Novelty;

        var evaluator = new ModelEvaluator(progress);
        var list = models.Select(m => m.Model).ToList();
        var sentence = evaluator.Run(list, mixtures, tokens, documents, EvaluationScope.Sentence, novelty, withRanks: true);
        // document scope: perplexities only (accuracy is a headline-scope figure; distributions cost the transformer a softmax copy per position)
        var document = settings.DocumentScope ? evaluator.Run(list, mixtures, tokens, documents, EvaluationScope.Document, null,
            withRanks: false) : null;

        foreach (var m in models) m.Model.EnsureIntact(); // no figure from a damaged file
        long bytes = corpus.SplitInfo(split).Bytes;
        var results = new List<ModelResult>();
        for (int i = 0; i < sentence.Count; i++)
        {
            bool isMixture = i >= models.Count;
            var spec = isMixture ? mixtures[i - models.Count] : null;
            results.Add(Result(sentence[i], document?[i], bytes, novelty.Length,
                isMixture ? null : models[i], spec is null ? null : (models[spec.First], models[spec.Second], spec)));
        }
        var shares = Enumerable.Range(0, ContextNoveltyAnalysis.MaxK + 1)
            .Select(k => { long n = novelty.LongCount(b => b == k); return new NoveltyResult(k, n, (double)n / novelty.Length, null); }).ToList();
        return new EvaluationReport
        {
            Corpus = corpus.Name, CorpusFingerprint = corpus.Fingerprint(), Tokenizer = corpus.Manifest.Tokenizer.Kind
                + (corpus.Manifest.Tokenizer.Lowercase ? " (lower-cased)" : ""),
            VocabularySize = corpus.Vocabulary.Count, Split = settings.Split, Tokens = tokens.Length, Bytes = bytes,
            Oov = tokens.LongCount(t => t == SpecialTokens.UnknownId), Models = results, NoveltyShares = shares, Sparsity = analysis.Sparsity,
            Tool = ToolInfo.Description, CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            EvaluationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            TrainingAnalysisSeconds = Math.Round(analysisSeconds, 3), TrainingAnalysisCached = analysis.Cached,
        };
    }

    /// <summary>The novelty buckets and sparsity tables: kept by the corpus from an earlier run, else computed and kept.</summary>
    private TrainingAnalysis Analysis(int[] tokens, DocumentIndex documents, EvaluationSettings settings)
    {
        bool exact = corpus.SplitInfo(Splits.Train).Tokens * TrainingAnalysis.ExactBytesPerToken <= settings.MemoryBytes;
        if (settings.ReuseAnalysis
            && TrainingAnalysisCache.TryRead(corpus, settings.Split, settings.Distances, tokens.Length, exact) is { } kept) return kept;
        progress?.Report(new ProgressReport("training n-grams", 0, null, "orders"));
        int v = corpus.Vocabulary.Count;
        var trainDocs = corpus.ReadDocuments(Splits.Train);
        TrainingAnalysis analysis;
        // held whole within the budget (exact), else one pass over the training file (distinct counts estimated)
        if (exact) analysis = TrainingAnalysis.ComputeExact(v, corpus.ReadTokens(Splits.Train), trainDocs, settings.Distances, tokens, documents);
        else
        {
            var census = TrainingCensus.Streamed(new TokenFileRanges(corpus.TokenPath(Splits.Train), v), trainDocs, settings.Distances,
                recording => TrainingAnalysis.Compute(v, recording, tokens, documents), progress);
            analysis = TrainingAnalysis.Compute(v, census, tokens, documents);
        }
        TrainingAnalysisCache.Write(corpus, settings.Split, settings.Distances, analysis);
        return analysis;
    }

    /// <summary>Each requested mixture's weight, by EM on the first validation lines (sentence scope).</summary>
    private List<MixtureSpec> FitMixtures(IReadOnlyList<EvaluatedModel> models, EvaluationSettings settings)
    {
        var specs = new List<MixtureSpec>();
        if (settings.Mixtures is not { Count: > 0 }) return specs;
        var valid = corpus.ReadTokens(Splits.Valid);
        if (valid.Length == 0) throw new InputException($"corpus {corpus.Name} has an empty validation split: cannot fit a mixture weight");
        var validDocs = corpus.ReadDocuments(Splits.Valid);
        var cache = new Dictionary<int, double[]>();
        foreach (var (first, second) in settings.Mixtures)
        {
            int a = IndexOf(models, first), b = IndexOf(models, second);
            if (a == b) throw new UsageException($"--mix {first}+{second}: a model cannot be mixed with itself");
            progress?.Report(new ProgressReport($"fit mixture {first}+{second}", 0, null, "tokens"));
            foreach (int i in new[] { a, b })
                if (!cache.ContainsKey(i)) cache[i] = ModelEvaluator.LogProbs(models[i].Model, valid, validDocs, EvaluationScope.Sentence,
                    settings.MixFitTokens);
            specs.Add(new MixtureSpec(a, b, MixtureWeightFitter.Fit(cache[a], cache[b]), cache[a].Length));
        }
        return specs;
    }

    private static int IndexOf(IReadOnlyList<EvaluatedModel> models, string name)
    {
        for (int i = 0; i < models.Count; i++) if (models[i].Model.Name == name) return i;
        throw new UsageException($"--mix names model '{name}', which is not among --models");
    }

    private ModelResult Result(ScopeScores sentence, ScopeScores? document, long bytes, long positions, EvaluatedModel? model,
        (EvaluatedModel First, EvaluatedModel Second, MixtureSpec Spec)? mixture)
    {
        var m = sentence.Overall;
        var footprint = model?.Model.Footprint ?? MixtureModel.CombinedFootprint(mixture!.Value.First.Model, mixture.Value.Second.Model);
        return new ModelResult
        {
            Name = sentence.Name, Kind = model?.Kind ?? "mixture",
            Perplexity = EvaluationReport.Finite(m.Perplexity), PerplexityExclOov = EvaluationReport.Finite(m.PerplexityExclOov), Oov = m.Oov,
            BitsPerByte = EvaluationReport.Finite(m.BitsPerByte(bytes)), Top1 = EvaluationReport.Finite(m.Top1Accuracy),
                Top5 = EvaluationReport.Finite(m.Top5Accuracy),
            Seconds = Math.Round(sentence.Seconds, 3), TokensPerSecond = EvaluationReport.Finite(m.Tokens / sentence.Seconds, 0),
            OpenSeconds = model is null ? null : Math.Round(model.OpenSeconds, 4),
            Parameters = footprint.Parameters, BytesOnDisk = footprint.BytesOnDisk, NonZeros = footprint.NonZeros,
            Novelty = sentence.ByNovelty.Select((b, k) => new NoveltyResult(k, b.Tokens, positions == 0 ? 0 : (double)b.Tokens / positions,
                EvaluationReport.Finite(b.Perplexity))).ToList(),
            Document = document is null ? null : Scope("document", document, bytes),
            Mixture = mixture is null ? null : new MixtureResult(mixture.Value.First.Model.Name, mixture.Value.Second.Model.Name,
                Math.Round(mixture.Value.Spec.Weight, 6), mixture.Value.Spec.FittedOnTokens),
            Build = model?.Build ?? new Dictionary<string, string>(),
        };
    }

    private static ScopeResult Scope(string name, ScopeScores s, long bytes) => new(name, s.Overall.Tokens, s.Overall.Oov,
        EvaluationReport.Finite(s.Overall.Perplexity), EvaluationReport.Finite(s.Overall.PerplexityExclOov),
            EvaluationReport.Finite(s.Overall.BitsPerByte(bytes)),
        EvaluationReport.Finite(s.Overall.Top1Accuracy), EvaluationReport.Finite(s.Overall.Top5Accuracy), Math.Round(s.Seconds, 3),
        EvaluationReport.Finite(s.Overall.Tokens / s.Seconds, 0));
}
