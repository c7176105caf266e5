using LmCompare.Core;
using System.Text.Json;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Corpus.Models;

namespace LmCompare.Counting.NGrams;

/// <summary><c>manifest.json</c> of an n-gram model, written last.</summary>
public sealed record NGramModelManifest : ModelManifest
{
    public const string KindName = "ngram";

    public override string Kind { get; init; } = KindName;
    public required double BuildSeconds { get; init; }
    public required IReadOnlyDictionary<string, double> StageSeconds { get; init; }
    public required int Order { get; init; }
    /// <summary>"kneser-ney" (estimated here, as lmplz does) or "arpa" (imported).</summary>
    public required string Source { get; init; }
    public string? ArpaPath { get; init; }
    public required bool DiscountFallback { get; init; }
    /// <summary>Where the counts were made: "memory" (this process) or the cluster's garnet://host:port,... (no password).</summary>
    public string CountStore { get; init; } = "memory";
    public required long[] NGramCounts { get; init; }
    /// <summary>Per order: D1, D2, D3+ (empty for imported models).</summary>
    public required float[][] Discounts { get; init; }
    /// <summary>KenLM's query figures on the test split (sentence scope, &lt;/s&gt; included).</summary>
    public required long TestTokens { get; init; }
    public required long TestOov { get; init; }
    public double? TestPerplexity { get; init; }
    public double? TestPerplexityExclOov { get; init; }
    public double? ValidPerplexity { get; init; }
    /// <summary>The file <c>lmc ngram eval</c> scores in place ("probing": <c>ngrams.probing</c>, "trie": <c>ngrams.trie</c>);
    /// null for a model built before either existed, which is scored from <c>ngrams.bin</c>.</summary>
    public string? ScoringFormat { get; init; }
    public long ScoringBytes { get; init; }
    /// <summary>Bytes of <c>ngrams.trie</c> (written with either format: distributions and ranks read it); 0 for a model built
    /// before it existed.</summary>
    public long TrieBytes { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, CorpusManifest.JsonOptions);

    /// <summary>What scoring in place needs, read from the manifest's JSON without deserialising the whole record: the
    /// first full deserialisation took ~80 ms of a 0.14 s open (eval/RESULTS.md).</summary>
    public sealed record ScoringFields(string Name, string Corpus, string CorpusFingerprint, int VocabularySize, long[] NGramCounts,
        string? ScoringFormat, string? CorpusQuickFingerprint);

    public static ScoringFields LoadScoringFields(string path) => ModelManifestFile.Parse(path, json =>
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string Text(string field) => root.TryGetProperty(field, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()!
            : throw new InputException($"{path}: the manifest has no '{field}'");
        if (Text("kind") != KindName) throw new InputException($"{path}: a '{Text("kind")}' model, not an n-gram model");
        if (!root.TryGetProperty("nGramCounts", out var counts) || counts.ValueKind != JsonValueKind.Array)
            throw new InputException($"{path}: the manifest has no 'nGramCounts'");
        string? Optional(string field) => root.TryGetProperty(field, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        return new ScoringFields(Text("name"), Text("corpus"), Text("corpusFingerprint"), root.GetProperty("vocabularySize").GetInt32(),
            counts.EnumerateArray().Select(c => c.GetInt64()).ToArray(), Optional("scoringFormat"), Optional("corpusQuickFingerprint"));
    });

    public static NGramModelManifest Load(string path) => ModelManifestFile.Load<NGramModelManifest>(path, KindName, m => m.Kind, "an n-gram model");
}
