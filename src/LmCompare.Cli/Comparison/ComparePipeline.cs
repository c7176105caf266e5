using System.Security.Cryptography;
using System.Text;
using LmCompare.Cli.Output;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Corpus.Models;
using LmCompare.Corpus.Sources;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.Pairs;
using LmCompare.Cli.Generation;
using LmCompare.Evaluation;
using LmCompare.Evaluation.Analysis;
using LmCompare.Evaluation.Metrics;
using LmCompare.Evaluation.Reports;
using LmCompare.Transformer;
using LmCompare.Transformer.Training;

namespace LmCompare.Cli.Comparison;

/// <summary>
/// <c>lmc compare</c> as named stages: <b>corpus</b> (ingest, or reuse an identical ingestion), <b>pairs</b>,
/// <b>ngram</b>, <b>gpt</b> (each reused when a complete model with the same corpus and settings exists),
/// <b>curves</b> (count models rebuilt on prefixes; the transformer's validation checks), <b>eval</b> (cached by the
/// models' manifests), <b>report</b>. Wiring only: every algorithm lives in the libraries.
/// </summary>
public sealed class ComparePipeline(CommandContext context, CompareSettings settings)
{
    private readonly Workspace _workspace = context.Workspace;
    private readonly List<string> _log = [];

    public IReadOnlyList<string> Log => _log;

    public (EvaluationReport Report, string Folder) Run(CancellationToken cancel)
    {
        if (settings.Minutes <= 0) throw new UsageException($"--minutes must be positive (got {settings.Minutes})");
        if (settings.Out is not null) ReportWriter.CheckWritable(settings.Out);
        var corpus = Corpus();
        string pairs = $"{corpus.Name}-pairs", ngram = $"{corpus.Name}-kn{settings.Order}", gpt = $"{corpus.Name}-gpt";
        BuildPairs(corpus, pairs);
        BuildNGram(corpus, ngram);
        TrainGpt(corpus, gpt, cancel);
        var report = EvaluateCached(corpus, [pairs, ngram, gpt], [(gpt, ngram), (gpt, pairs)]);
        if (settings.Curves) report = WithCurves(report, CurvesCached(corpus, pairs, ngram, gpt), gpt);
        report = report with { Neighbours = WordVectors(corpus, pairs, gpt), Settings = Describe(corpus) };
        report = report with { Verdict = Verdict.For(report) };
        string folder = settings.Out ?? Path.Combine(_workspace.Home, "reports", $"{corpus.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        Stage("report", $"writing {folder}");
        return (report, ReportWriter.Write(report, folder));
    }

    private void Stage(string stage, string message)
    {
        _log.Add($"{stage}: {message}");
        if (!context.Quiet) Console.Error.WriteLine($"compare: {stage}: {message}");
    }

    /// <summary>An ingested corpus by name, or a text path ingested unless an identical ingestion exists.</summary>
    private TokenizedCorpus Corpus()
    {
        if (!File.Exists(settings.Source) && !Directory.Exists(settings.Source))
        {
            if (settings.Source.Contains('/') || settings.Source.Contains('.'))
                throw new InputException($"{settings.Source}: no such file or folder");
            Stage("corpus", $"using ingested corpus {settings.Source}");
            return TokenizedCorpus.Open(_workspace, settings.Source);
        }
        string name = settings.Name ?? SafeName(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Source))));
        var tokenizer = new TokenizerSettings(settings.Tokenizer, settings.Lowercase);
        var vocabulary = new VocabularyOptions(settings.MinCount);
        if (!settings.Force && SameIngestion(name, tokenizer, vocabulary))
        {
            Stage("corpus", $"reusing {name} (same sources, tokenizer and vocabulary settings)");
            return TokenizedCorpus.Open(_workspace, name);
        }
        Stage("corpus", $"ingesting {settings.Source} as {name}");
        var options = new IngestOptions(name, [settings.Source], tokenizer, vocabulary, Force: true);
        context.WithProgress("ingest", progress => new CorpusIngestor(_workspace, progress).Ingest(options));
        return TokenizedCorpus.Open(_workspace, name);
    }

    private bool SameIngestion(string name, TokenizerSettings tokenizer, VocabularyOptions vocabulary)
    {
        if (!File.Exists(Path.Combine(_workspace.CorporaDirectory, name, "manifest.json"))) return false;
        var manifest = TokenizedCorpus.Open(_workspace, name).Manifest;
        if (manifest.Tokenizer != tokenizer || manifest.Vocabulary.MinCount != vocabulary.MinCount
            || manifest.Vocabulary.MaxVocab != vocabulary.MaxVocab
            || manifest.Split.Mode == "explicit") return false;
        var recorded = manifest.Sources.ToDictionary(s => s.Path, s => s.Sha256);
        var documents = SourceDiscovery.Expand([settings.Source]);
        return documents.Count == recorded.Count && documents.All(d => recorded.TryGetValue(d.DisplayPath, out var sha) && sha == Sha256(d.FullPath));
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string SafeName(string text)
    {
        var name = new string(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? char.ToLowerInvariant(c) : '-').ToArray()).Trim('-');
        return name.Length == 0 ? "corpus" : name;
    }

    private bool Reusable(string model, TokenizedCorpus corpus, Func<string, bool> sameSettings)
    {
        if (settings.Force || !Directory.Exists(Path.Combine(_workspace.ModelsDirectory, model))) return false;
        try
        {
            var id = ModelIdentity.Read(_workspace, model);
            return id.Corpus == corpus.Name && id.CorpusFingerprint == corpus.Fingerprint() && sameSettings(id.ManifestPath);
        }
        catch (InputException) { return false; } // incomplete or damaged: rebuild
    }

    private void BuildPairs(TokenizedCorpus corpus, string name)
    {
        if (Reusable(name, corpus, path => PairModelManifest.Load(path).Distances == settings.Distances)) { Stage("pairs", $"reusing {name}");
            return; }
        Stage("pairs", $"building {name} (N = {settings.Distances})");
        var result = context.WithProgress("pairs", progress =>
            new PairModelBuilder(_workspace, progress).Build(corpus.Name, name, new PairModelSettings(settings.Distances), ExistingModel.Replace));
        Stage("pairs", $"{name} built in {result.Manifest.BuildSeconds:0.0} s");
    }

    private void BuildNGram(TokenizedCorpus corpus, string name)
    {
        if (Reusable(name, corpus, path => NGramModelManifest.Load(path).Order == settings.Order)) { Stage("ngram", $"reusing {name}"); return; }
        Stage("ngram", $"building {name} (order {settings.Order})");
        var result = context.WithProgress("ngram", progress =>
            new NGramModelBuilder(_workspace, progress).Build(corpus.Name, name, new KneserNeySettings(settings.Order, DiscountFallback: true),
                ExistingModel.Replace));
        Stage("ngram", $"{name} built in {result.Manifest.BuildSeconds:0.0} s");
    }

    /// <summary>The transformer's options in compare: the time budget, and validation often enough to draw its learning curve.</summary>
    public TrainingOptions GptOptions() => new(Minutes: settings.Minutes, EvalEvery: 50, EvalTokens: 16384);

    private void TrainGpt(TokenizedCorpus corpus, string name, CancellationToken cancel)
    {
        var options = GptOptions();
        var shape = new GptConfig(corpus.Vocabulary.Count);
        if (Reusable(name, corpus, path => { var m = GptModelManifest.Load(path); return m.Options == options && m.Config == shape; }))
        {
            Stage("gpt", $"reusing {name}");
            return;
        }
        Stage("gpt", $"training {name} for {settings.Minutes:0.##} min");
        var result = TrainingProgress.Run(context, options, log =>
            new GptModelBuilder(_workspace, log).Train(corpus.Name, name, shape, options, ExistingModel.Replace, cancel));
        Stage("gpt", $"{name}: {result.Manifest.TokensSeen:N0} tokens seen, {result.Manifest.TokensPerSecond:N0} tokens/s, stop: " +
            $"{result.Manifest.StopReason}");
    }

    /// <summary>Nearest neighbours of a few frequent words under the transformer's embeddings and the pair counts' vectors.</summary>
    private List<NeighbourRow> WordVectors(TokenizedCorpus corpus, string pairs, string gpt)
    {
        Stage("vectors", "nearest neighbours under the transformer's embeddings and the pair counts' PPMI + SVD vectors");
        var spaces = new[] { EmbeddingSources.Open(_workspace, gpt), EmbeddingSources.Open(_workspace, pairs) };
        return WordVectorComparison.Compare(spaces, WordVectorComparison.ProbeWords(corpus.Vocabulary));
    }

    private EvaluationReport EvaluateCached(TokenizedCorpus corpus, string[] models, (string, string)[] mixtures)
    {
        string key = CacheKey("eval", corpus, models, string.Join(";", mixtures));
        string path = Path.Combine(_workspace.Home, "reports", ".cache", $"eval-{key}.json");
        if (File.Exists(path))
        {
            try
            {
                var stored = EvaluationReport.Load(path);
                Stage("eval", "reusing the stored evaluation of these models");
                return stored;
            }
            catch (InputException e) { Stage("eval", $"stored evaluation unusable, evaluating again ({e.Message})"); }
        }
        Stage("eval", $"evaluating {string.Join(", ", models)} and the mixtures on the test split");
        var evaluation = new EvaluationSettings("test", mixtures, Distances: settings.Distances);
        var report = context.WithProgress("eval", progress =>
            ModelSetEvaluation.Run(_workspace, corpus, models, evaluation, ModelCatalog.Instance, progress));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, report.ToJson());
        return report;
    }

    /// <summary>The curves, the laws fitted to them and what those say about more data.</summary>
    private static EvaluationReport WithCurves(EvaluationReport report, List<LearningCurve> curves, string gpt)
    {
        var fits = ScalingExtrapolation.Fits(curves);
        var transformer = report.Models.FirstOrDefault(m => m.Name == gpt && m.Mixture is null);
        return report with
        {
            Curves = curves, Fits = fits,
            Extrapolations = ScalingExtrapolation.Sentences(curves, fits, transformer?.Name, transformer?.Perplexity),
        };
    }

    private List<LearningCurve> CurvesCached(TokenizedCorpus corpus, string pairs, string ngram, string gpt)
    {
        string key = CacheKey("curves", corpus, [pairs, ngram, gpt], "");
        string path = Path.Combine(_workspace.Home, "reports", ".cache", $"curves-{key}.json");
        if (File.Exists(path))
        {
            Stage("curves", "reusing the stored learning curves");
            return System.Text.Json.JsonSerializer.Deserialize<List<LearningCurve>>(File.ReadAllText(path), EvaluationReport.Json) ?? [];
        }
        Stage("curves", "rebuilding the count models on 1/64 ... 1 of the training data");
        var curves = context.WithProgress("curves", progress => LearningCurveSources.Measure(_workspace, corpus, settings, pairs, ngram, gpt,
            progress));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(curves, EvaluationReport.Json));
        return curves;
    }

    /// <summary>SHA-256 of the models' manifests (each rebuild rewrites them), the corpus, the purpose and the tool version.</summary>
    private string CacheKey(string purpose, TokenizedCorpus corpus, string[] models, string extra)
    {
        var text = new StringBuilder($"{purpose}|{corpus.Fingerprint()}|{extra}|{ToolInfo.Description}|{settings.Distances}");
        foreach (string model in models) text.Append('|').Append(File.ReadAllText(Path.Combine(_workspace.ModelsDirectory, model, "manifest.json")));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..24];
    }

    private Dictionary<string, string> Describe(TokenizedCorpus corpus) => new()
    {
        ["command"] = $"lmc compare {settings.Source} --minutes {settings.Minutes:0.##} --tokenizer {settings.Tokenizer} --min-count " +
            $"{settings.MinCount}" +
            (settings.Lowercase ? " --lowercase" : ""),
        ["corpus sources"] = $"{corpus.Manifest.Sources.Count} file(s), split {corpus.Manifest.Split.Mode}",
        ["pair-distance model"] = $"N = {settings.Distances}, lambdas by EM on validation",
        ["n-gram model"] = $"order {settings.Order}, interpolated modified Kneser-Ney (lmplz-exact), discount fallback",
        ["transformer"] = $"{new GptConfig(corpus.Vocabulary.Count)}; {GptOptions()}",
        ["mixtures"] = "a P_gpt + (1 - a) P_count, a by EM on the first 30,000 validation tokens (whole lines)",
    };
}
