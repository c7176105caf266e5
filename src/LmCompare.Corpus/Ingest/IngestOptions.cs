using LmCompare.Core;

namespace LmCompare.Corpus.Ingest;

/// <summary>Everything <c>lmc corpus ingest</c> is told. Defaults are the command line's defaults.</summary>
/// <param name="Name">Corpus name: the folder under &lt;home&gt;/corpora.</param>
/// <param name="Paths">Documents to split by <see cref="Fractions"/> (empty when explicit split files are given).</param>
/// <param name="TrainPaths">Explicit training documents (then <see cref="Paths"/> is empty).</param>
/// <param name="Format"><c>text</c> or <c>brown-tagged</c> (word/tag tokens; the /tag suffix is removed).</param>
/// <param name="Fractions">Train, valid and test shares; by text bytes of whole documents.</param>
/// <param name="Seed">Seeds the document shuffle before splitting.</param>
/// <param name="Force">Replace an existing corpus of the same name.</param>
public sealed record IngestOptions(
    string Name,
    IReadOnlyList<string> Paths,
    TokenizerSettings Tokenizer,
    VocabularyOptions Vocabulary,
    string Format = "text",
    double[]? Fractions = null,
    int Seed = 1,
    IReadOnlyList<string>? TrainPaths = null,
    IReadOnlyList<string>? ValidPaths = null,
    IReadOnlyList<string>? TestPaths = null,
    bool Force = false)
{
    public static readonly double[] DefaultFractions = [0.9, 0.05, 0.05];

    public static readonly IReadOnlyList<string> Formats = ["text", "brown-tagged"];

    public bool ExplicitSplits => TrainPaths is { Count: > 0 } || ValidPaths is { Count: > 0 } || TestPaths is { Count: > 0 };

    public double[] EffectiveFractions => Fractions ?? DefaultFractions;

    /// <summary>Checks what can be checked before any file is read; throws <see cref="UsageException"/>.</summary>
    public void Validate()
    {
        CorpusNames.Validate(Name);
        Vocabulary.Validate();
        if (!Formats.Contains(Format)) throw new UsageException($"unknown --format '{Format}' (expected text or brown-tagged)");
        if (ExplicitSplits)
        {
            if (Paths.Count > 0) throw new UsageException("give either PATH... (split by --split) or --train/--valid/--test, not both");
            if (TrainPaths is not { Count: > 0 }) throw new UsageException("--valid/--test need --train as well");
            if (Fractions is not null) throw new UsageException("--split cannot be combined with --train/--valid/--test");
        }
        else if (Paths.Count == 0)
        {
            throw new UsageException("no input: give PATH... or --train/--valid/--test");
        }
        ValidateFractions(EffectiveFractions);
    }

    public static void ValidateFractions(double[] f)
    {
        if (f.Length != 3) throw new UsageException($"--split needs three shares train,valid,test (got {f.Length})");
        if (f.Any(x => double.IsNaN(x) || x < 0 || x > 1)) throw new UsageException("--split shares must lie in [0, 1]");
        if (Math.Abs(f.Sum() - 1) > 1e-6) throw new UsageException($"--split shares must sum to 1 (got {f.Sum():0.######})");
        if (f[0] <= 0) throw new UsageException("--split must give the training split a positive share");
    }
}

/// <summary>Names of corpora: see <see cref="Names"/>.</summary>
public static class CorpusNames
{
    public static void Validate(string name) => Names.Validate(name);
}
