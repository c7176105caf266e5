using System.Text.Json;
using LmCompare.Core;
using LmCompare.Corpus.Ingest;

namespace LmCompare.Counting.NGrams;

/// <summary><c>manifest.json</c> of an n-gram model, written last.</summary>
public sealed record NGramModelManifest
{
    public const string KindName = "ngram";

    public int Schema { get; init; } = 1;
    public string Kind { get; init; } = KindName;
    public required string Name { get; init; }
    public required string Corpus { get; init; }
    public required string CorpusFingerprint { get; init; }
    public required int VocabularySize { get; init; }
    public required int Order { get; init; }
    /// <summary>"kneser-ney" (estimated here, as lmplz does) or "arpa" (imported).</summary>
    public required string Source { get; init; }
    public string? ArpaPath { get; init; }
    public required bool DiscountFallback { get; init; }
    public required long[] NGramCounts { get; init; }
    /// <summary>Per order: D1, D2, D3+ (empty for imported models).</summary>
    public required float[][] Discounts { get; init; }
    public required string Tool { get; init; }
    public required string CreatedUtc { get; init; }
    public required double BuildSeconds { get; init; }
    public required IReadOnlyDictionary<string, double> StageSeconds { get; init; }
    /// <summary>KenLM's query figures on the test split (sentence scope, &lt;/s&gt; included).</summary>
    public required long TestTokens { get; init; }
    public required long TestOov { get; init; }
    public required double? TestPerplexity { get; init; }
    public required double? TestPerplexityExclOov { get; init; }
    public required double? ValidPerplexity { get; init; }
    public required long BytesOnDisk { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, CorpusManifest.JsonOptions);

    public static NGramModelManifest Load(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: model manifest not found (the model is missing or its build did not finish)");
        try
        {
            var manifest = JsonSerializer.Deserialize<NGramModelManifest>(File.ReadAllText(path), CorpusManifest.JsonOptions)
                ?? throw new InputException($"{path}: empty manifest");
            if (manifest.Kind != KindName) throw new InputException($"{path}: a '{manifest.Kind}' model, not an n-gram model");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: corrupt manifest ({e.Message})", e);
        }
    }
}
