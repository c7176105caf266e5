using System.Text.Json;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Corpus.Models;
using LmCompare.Transformer.Training;

namespace LmCompare.Transformer;

/// <summary><c>manifest.json</c> of a trained transformer, written last.</summary>
public sealed record GptModelManifest : ModelManifest
{
    public const string KindName = "gpt";

    public override string Kind { get; init; } = KindName;
    public required GptConfig Config { get; init; }
    public required TrainingOptions Options { get; init; }
    public required long Parameters { get; init; }
    public required int Steps { get; init; }
    public required long TokensSeen { get; init; }
    public double? BestValidPerplexity { get; init; }
    /// <summary>Test perplexity of the best weights, document scope (sliding windows, stride context/2), natural-log based.</summary>
    public double? TestPerplexity { get; init; }
    public long TestTokens { get; init; }
    public required double WallSeconds { get; init; }
    public required double TokensPerSecond { get; init; }
    public required double Mfu { get; init; }
    public required double PeakGflops { get; init; }
    public required string StopReason { get; init; }
    public required IReadOnlyList<TrainingPoint> Curve { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, CorpusManifest.JsonOptions);

    public static GptModelManifest Load(string path) => ModelManifestFile.Load<GptModelManifest>(path, KindName, m => m.Kind, "a transformer");
}
