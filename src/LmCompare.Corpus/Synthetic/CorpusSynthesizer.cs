using System.Diagnostics;
using System.Globalization;
using System.Text;
using LmCompare.Core;
using LmCompare.Corpus.Ingest;

namespace LmCompare.Corpus.Synthetic;

/// <summary>What <c>lmc corpus synth</c> writes.</summary>
/// <param name="Name">The new corpus.</param>
/// <param name="Like">The ingested real corpus whose training split gives the model.</param>
/// <param name="TrainTokens">Training tokens to draw (the last sentence is finished, so a few more are written).</param>
/// <param name="Seed">Seed of the sampler.</param>
/// <param name="HeldOutTokens">Tokens of the validation and of the test split each.</param>
/// <param name="DocumentTokens">A document ends at the first line end after this many tokens.</param>
public sealed record SynthOptions(string Name, string Like, long TrainTokens, long Seed = 1, long HeldOutTokens = 1_000_000,
    long DocumentTokens = 100_000, bool Force = false)
{
    public void Validate()
    {
        Names.Validate(Name);
        if (TrainTokens < 1) throw new UsageException($"--tokens must be at least 1 (got {TrainTokens})");
        if (HeldOutTokens < 1) throw new UsageException($"--held-out-tokens must be at least 1 (got {HeldOutTokens})");
        if (DocumentTokens < 1) throw new UsageException($"--document-tokens must be at least 1 (got {DocumentTokens})");
        if (Name == Like) throw new UsageException("--name must differ from --like (the source corpus stays as it is)");
    }
}

/// <summary>
/// <c>lmc corpus synth</c>: a corpus of any size drawn from a bigram model of a real corpus's training split, in the
/// ingested format (same vocabulary and ids as the source, its own counts), for measuring what the count pipelines
/// cost at 100M-1B tokens. Not for quality: a bigram chain has the source's word frequencies and local word order but
/// no longer structure, so its distinct higher-order n-grams grow faster than real text's (eval/RESULTS.md compares
/// them); the manifest says so in <see cref="CorpusManifest.Synthetic"/>. Reproducible from the seed: every segment of
/// every split has its own <see cref="SplitMix64"/> stream, seeded from the seed, the split and the segment.
/// </summary>
public sealed class CorpusSynthesizer(Workspace workspace, IProgress<ProgressReport>? progress = null)
{
    public const string Note = "sampled from a bigram model of the source corpus: for measuring cost at scale, not quality";

    public IngestResult Synthesize(SynthOptions options)
    {
        var clock = Stopwatch.StartNew();
        options.Validate();
        var source = TokenizedCorpus.Open(workspace, options.Like);
        string target = workspace.CorpusDirectory(options.Name);
        CorpusFolder.CheckTarget(target, options.Name, options.Force);
        progress?.Report(new ProgressReport("model", 0, null, "bigrams"));
        var sampler = BigramSampler.FromTokens(source.ReadTokens(Splits.Train), source.Vocabulary.Count);
        var writer = new SyntheticSplitWriter(sampler, source.Vocabulary, options.DocumentTokens);
        var manifest = CorpusFolder.Write(workspace, options.Name, temp => WriteSplits(options, source, writer, temp), progress);
        return new IngestResult(target, manifest, clock.Elapsed);
    }

    /// <summary>Every split, then the vocabulary with the training counts; returns the manifest.</summary>
    private CorpusManifest WriteSplits(SynthOptions options, TokenizedCorpus source, SyntheticSplitWriter writer, string folder)
    {
        var splits = new Dictionary<string, SplitManifest>();
        long[] trainCounts = [];
        IReadOnlyList<long[]> growth = [];
        for (int s = 0; s < Splits.Names.Count; s++)
        {
            string name = Splits.Names[s];
            long tokens = s == Splits.Train ? options.TrainTokens : options.HeldOutTokens;
            var result = writer.Write(Path.Combine(folder, name + ".bin"), Path.Combine(folder, name + ".docs"), tokens, SplitSeed(options.Seed, s),
                done => progress?.Report(new ProgressReport("sample " + name, done, tokens, "tokens")));
            splits[name] = result.Split;
            if (s == Splits.Train) (trainCounts, growth) = (result.Counts, result.TypeGrowth);
        }
        source.Vocabulary.WithCounts(trainCounts).Save(Path.Combine(folder, "vocab.txt"));
        return Manifest(options, source, splits, growth);
    }

    /// <summary>The split's base seed: (seed, split) through SplitMix64's mixer, so neighbouring seeds give unrelated streams.</summary>
    private static ulong SplitSeed(long seed, int split) => new SplitMix64((ulong)seed * 3 + (ulong)split).Next();

    private static CorpusManifest Manifest(SynthOptions options, TokenizedCorpus source, Dictionary<string, SplitManifest> splits,
        IReadOnlyList<long[]> growth)
    {
        long types = growth.Count > 0 ? growth[^1][1] : 0;
        return new CorpusManifest
        {
            Name = options.Name,
            CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Tool = ToolInfo.Description,
            Format = source.Manifest.Format,
            Tokenizer = source.Manifest.Tokenizer,
            Vocabulary = new VocabularyManifest(source.Manifest.Vocabulary.MinCount, source.Manifest.Vocabulary.MaxVocab, source.Vocabulary.Count,
                types),
            Split = new SplitSettings("synthetic", null, (int)(options.Seed & int.MaxValue)),
            Sources = [new SourceManifest(Path.Combine(source.Directory, "manifest.json"), source.Fingerprint(), 0, 0, "all", 0, 0)],
            Splits = splits,
            TrainTypeGrowth = growth,
            Synthetic = new SyntheticManifest(options.Like, "bigram", options.Seed, Note),
        };
    }
}
