using System.Text.Json;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Corpus.Models;

namespace LmCompare.Counting.Pairs;

/// <summary><c>manifest.json</c> of a pair-distance model, written last.</summary>
public sealed record PairModelManifest : ModelManifest
{
    public const string KindName = "pairs";

    public override string Kind { get; init; } = KindName;
    public required double BuildSeconds { get; init; }
    public required IReadOnlyDictionary<string, double> StageSeconds { get; init; }
    public required int Distances { get; init; }
    public required int TopK { get; init; }
    public required long MemoryBytes { get; init; }
    public required long TrainTokens { get; init; }
    /// <summary>Times the in-memory counts were merged into the store (each followed by a checkpoint).</summary>
    public required int Merges { get; init; }
    public required long DistinctPairs { get; init; }
    public required long[] DistinctPairsPerDistance { get; init; }
    /// <summary>D_1..D_N.</summary>
    public required double[] Discounts { get; init; }
    public required double UnigramDiscount { get; init; }
    public required int[] LambdaBucketToGroup { get; init; }
    /// <summary>Per group: lambda_0 (unigram), lambda_1..lambda_N.</summary>
    public required double[][] Lambdas { get; init; }
    public required IReadOnlyList<EmIteration> EmIterations { get; init; }
    public required long EmPositions { get; init; }
    /// <summary>Document-scoped perplexities over every token (incl. &lt;/s&gt; and OOV), computed at build time.</summary>
    public double? ValidPerplexity { get; init; }
    public double? TestPerplexity { get; init; }
    public double? TestPerplexityExclOov { get; init; }
    public required string TablesFile { get; init; }
    public required string TablesXxHash64 { get; init; }
    /// <summary>Bytes of the build's FASTER store when the tables were written; an embedded build removes the store then (the
    /// tables hold every count), so it is not part of <see cref="ModelManifest.BytesOnDisk"/>.</summary>
    public required long StoreBytes { get; init; }
    /// <summary>Where the counts were made: "faster" (the build's embedded store, removed once the tables hold them) or
    /// garnet://endpoints (never a password), where they stay.</summary>
    public string Store { get; init; } = "faster";
    /// <summary>The cluster a pulled model's counts were copied from (<c>lmc pairs pull</c>); null otherwise.</summary>
    public string? PulledFrom { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, CorpusManifest.JsonOptions);

    public static PairModelManifest FromJson(string json) =>
        JsonSerializer.Deserialize<PairModelManifest>(json, CorpusManifest.JsonOptions) ?? throw new InputException("an empty pair model manifest");

    public static PairModelManifest Load(string path) => ModelManifestFile.Load<PairModelManifest>(path, KindName, m => m.Kind,
        "a pair-distance model");
}
