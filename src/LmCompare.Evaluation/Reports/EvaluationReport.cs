using System.Text.Json;
using System.Text.Json.Serialization;
using LmCompare.Evaluation.Analysis;
using LmCompare.Evaluation.Metrics;

namespace LmCompare.Evaluation.Reports;

/// <summary>Perplexity of one model on the positions whose context novelty is k (see <see cref="ContextNoveltyAnalysis"/>).</summary>
public sealed record NoveltyResult(int K, long Positions, double Share, double? Perplexity);

/// <summary>The metrics of one scope. Perplexities are exp of the mean natural-log loss; bits per byte use the split's UTF-8 bytes.</summary>
public sealed record ScopeResult(string Scope, long Tokens, long Oov, double? Perplexity, double? PerplexityExclOov, double? BitsPerByte,
    double? Top1, double? Top5, double Seconds, double? TokensPerSecond);

/// <summary>The mixture a model is, when it is one: a P_first + (1 - a) P_second, a fitted on validation positions.</summary>
public sealed record MixtureResult(string First, string Second, double Weight, long FittedOnTokens);

/// <summary>
/// One model in <c>report.json</c> / <c>lmc eval --json</c>. The top-level figures are the headline scope (sentence);
/// <see cref="Document"/> repeats them for document scope. Never compare figures of different scopes.
/// </summary>
public sealed record ModelResult
{
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public double? Perplexity { get; init; }
    public double? PerplexityExclOov { get; init; }
    public long Oov { get; init; }
    public double? BitsPerByte { get; init; }
    public double? Top1 { get; init; }
    public double? Top5 { get; init; }
    public double? TokensPerSecond { get; init; }
    public double Seconds { get; init; }
    /// <summary>Seconds to open the model (manifest, corpus check, mapping or loading); null for a mixture.</summary>
    public double? OpenSeconds { get; init; }
    /// <summary>Trainable parameters (transformer) or stored count entries (count models).</summary>
    public long Parameters { get; init; }
    public long BytesOnDisk { get; init; }
    public long NonZeros { get; init; }
    public IReadOnlyList<NoveltyResult> Novelty { get; init; } = [];
    public ScopeResult? Document { get; init; }
    public MixtureResult? Mixture { get; init; }
    /// <summary>Build or training settings and figures from the model's manifest (seconds, tokens seen, config).</summary>
    public IReadOnlyDictionary<string, string> Build { get; init; } = new Dictionary<string, string>();
}

/// <summary><c>report.json</c> and <c>lmc eval --json</c>: schema 1 (documented in the README).</summary>
public sealed record EvaluationReport
{
    public int Schema { get; init; } = 1;
    public required string Corpus { get; init; }
    public required string CorpusFingerprint { get; init; }
    public required string Tokenizer { get; init; }
    public required int VocabularySize { get; init; }
    public required string Split { get; init; }
    /// <summary>The scope of the models' top-level figures.</summary>
    public string Scope { get; init; } = "sentence";
    public required long Tokens { get; init; }
    public required long Bytes { get; init; }
    public required long Oov { get; init; }
    public required IReadOnlyList<ModelResult> Models { get; init; }
    /// <summary>Share of positions per novelty bucket k = 0..4 (the same for every model).</summary>
    public IReadOnlyList<NoveltyResult> NoveltyShares { get; init; } = [];
    public SparsityReport? Sparsity { get; init; }
    public IReadOnlyList<LearningCurve> Curves { get; init; } = [];
    /// <summary>ppl(D) = c + a (D / 1M)^-b fitted to the count models' curves.</summary>
    public IReadOnlyList<PowerLawFit> Fits { get; init; } = [];
    /// <summary>What the fitted laws say about more data, in sentences generated from the numbers.</summary>
    public IReadOnlyList<string> Extrapolations { get; init; } = [];
    /// <summary>Nearest neighbours of a few frequent words under each model's word vectors (compare fills it).</summary>
    public IReadOnlyList<NeighbourRow> Neighbours { get; init; } = [];
    public IReadOnlyList<string> Verdict { get; init; } = [];
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
    public required string Tool { get; init; }
    public required string CreatedUtc { get; init; }
    public double EvaluationSeconds { get; init; }
    /// <summary>Of <see cref="EvaluationSeconds"/>, the novelty and sparsity analyses of the training data.</summary>
    public double TrainingAnalysisSeconds { get; init; }
    /// <summary>Those analyses were read from the corpus's cache, kept by an earlier evaluation.</summary>
    public bool TrainingAnalysisCached { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static EvaluationReport Load(string path)
    {
        if (!File.Exists(path)) throw new Core.InputException($"{path}: report not found");
        try
        {
            var report = JsonSerializer.Deserialize<EvaluationReport>(File.ReadAllText(path), Json)
                ?? throw new Core.InputException($"{path}: empty report");
            if (report.Schema != 1) throw new Core.InputException($"{path}: report schema {report.Schema} is not supported (expected 1)");
            if (report.Models is null || report.Models.Any(m => m is null || m.Name is null)
                || report.Sparsity is { } s && (s.NGrams is null || s.Pairs is null || s.Growth is null))
                throw new Core.InputException($"{path}: incomplete report (fields missing: written by another version?)");
            return report;
        }
        catch (JsonException e) { throw new Core.InputException($"{path}: not a valid report ({e.Message})"); }
    }

    /// <summary>NaN and infinities become null (JSON has no NaN).</summary>
    public static double? Finite(double value, int digits = 6) => double.IsFinite(value) ? Math.Round(value, digits) : null;
}
