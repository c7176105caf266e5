using System.Text.Json;
using System.Text.Json.Serialization;
using LmCompare.Core;

namespace LmCompare.Corpus.Ingest;

/// <summary>
/// <c>manifest.json</c> of an ingested corpus, written last: a corpus folder without it is incomplete.
/// </summary>
public sealed record CorpusManifest
{
    public const int CurrentSchema = 1;

    public int Schema { get; init; } = CurrentSchema;
    public required string Name { get; init; }
    public required string CreatedUtc { get; init; }
    public required string Tool { get; init; }
    public required string Format { get; init; }
    public required TokenizerSettings Tokenizer { get; init; }
    public required VocabularyManifest Vocabulary { get; init; }
    public required SplitSettings Split { get; init; }
    public required IReadOnlyList<SourceManifest> Sources { get; init; }
    /// <summary>Per split, in the order train, valid, test.</summary>
    public required IReadOnlyDictionary<string, SplitManifest> Splits { get; init; }
    /// <summary>Distinct training word types (before the vocabulary cut) after n training words, n = 2^k: Heaps' law data.</summary>
    public required IReadOnlyList<long[]> TrainTypeGrowth { get; init; }
    /// <summary>Set for a corpus sampled by <c>lmc corpus synth</c> (absent for real text).</summary>
    public SyntheticManifest? Synthetic { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static CorpusManifest Load(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: manifest not found (the corpus is missing or incomplete)");
        try
        {
            var manifest = JsonSerializer.Deserialize<CorpusManifest>(File.ReadAllText(path), JsonOptions)
                ?? throw new InputException($"{path}: empty manifest");
            if (manifest.Schema != CurrentSchema) throw new InputException($"{path}: manifest schema {manifest.Schema} is not {CurrentSchema}");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: corrupt manifest ({e.Message})", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

/// <param name="Like">The real corpus whose training split the model was counted from.</param>
/// <param name="Model">How tokens were drawn, e.g. <c>bigram</c>.</param>
/// <param name="Seed">Seed of the sampler: the same seed, source and sizes give the same files.</param>
/// <param name="Note">What the corpus is for.</param>
public sealed record SyntheticManifest(string Like, string Model, long Seed, string Note);

/// <param name="Size">Ids including the three reserved tokens.</param>
/// <param name="TrainTypes">Distinct word types in training before the cut.</param>
public sealed record VocabularyManifest(int MinCount, int MaxVocab, int Size, long TrainTypes);

/// <param name="Mode"><c>documents</c> (whole documents by shares), <c>line-blocks</c> (one document cut by lines) or <c>explicit</c>.</param>
public sealed record SplitSettings(string Mode, double[]? Fractions, int? Seed);

/// <param name="Path">As given on the command line.</param>
/// <param name="Split">train, valid or test; <c>all</c> for a document cut into line blocks.</param>
/// <param name="InvalidUtf8">Invalid UTF-8 sequences replaced with U+FFFD.</param>
public sealed record SourceManifest(string Path, string Sha256, long FileBytes, long TextBytes, string Split, long Lines, long InvalidUtf8);

/// <param name="Tokens">Ids in the .bin file, including one <c>&lt;/s&gt;</c> per line.</param>
/// <param name="Words">Tokens other than <c>&lt;/s&gt;</c>.</param>
/// <param name="Oov">Words mapped to <c>&lt;unk&gt;</c>.</param>
/// <param name="Bytes">UTF-8 bytes of the split's text (normalised lines plus one newline each): the bits-per-byte denominator.</param>
public sealed record SplitManifest(int Documents, long Lines, long Tokens, long Words, long Oov, long Bytes)
{
    public double OovRate => Words == 0 ? 0 : (double)Oov / Words;
}
