using System.Diagnostics;
using LmCompare.Core;
using LmCompare.Corpus.Sources;
using LmCompare.Corpus.Tokenizers;

namespace LmCompare.Corpus.Ingest;

/// <summary>
/// <c>lmc corpus ingest</c> as a staged pipeline: <b>scan</b> (find documents, plan splits), <b>tokenize</b>
/// (provisional ids per split), <b>vocabulary</b> (cut from training counts), <b>write</b> (final ids, document
/// indexes), <b>commit</b> (manifest last, then one rename: <see cref="CorpusFolder"/>).
/// </summary>
public sealed class CorpusIngestor(Workspace workspace, IProgress<ProgressReport>? progress = null)
{
    /// <summary>Bytes of text per block handed to a worker (tests make it tiny to cut lines everywhere).</summary>
    internal int BlockBytes { get; init; } = TokenizeStage.BlockBytes;

    /// <summary>Worker threads; 0: one per core.</summary>
    internal int Workers { get; init; }

    public IngestResult Ingest(IngestOptions options)
    {
        var clock = Stopwatch.StartNew();
        options.Validate();
        var tokenizer = TokenizerFactory.Create(options.Tokenizer);
        string target = workspace.CorpusDirectory(options.Name);
        CheckTarget(target, options);
        var plan = Scan(options);
        var manifest = CorpusFolder.Write(workspace, options.Name, temp => Build(options, tokenizer, plan, temp), progress);
        return new IngestResult(target, manifest, clock.Elapsed);
    }

    /// <summary>
    /// Disk the ingest needs at its peak: a split's provisional and final ids side by side, 8 bytes a token, at most about
    /// one token per two bytes of text (English text with the word tokenizer: one per 4.5).
    /// </summary>
    internal static long DiskBytes(SplitPlan plan) => plan.Documents.Sum(d => d.SizeHint) * 4;

    private static void CheckTarget(string target, IngestOptions options) => CorpusFolder.CheckTarget(target, options.Name, options.Force);

    private SplitPlan Scan(IngestOptions options)
    {
        progress?.Report(new ProgressReport("scan", 0, null, "documents"));
        if (!options.ExplicitSplits)
            return SplitPlanner.ByFractions(SourceDiscovery.Expand(options.Paths), options.EffectiveFractions, options.Seed);
        return SplitPlanner.Explicit(
            SourceDiscovery.Expand(options.TrainPaths ?? []),
            SourceDiscovery.Expand(options.ValidPaths ?? []),
            SourceDiscovery.Expand(options.TestPaths ?? []));
    }

    private CorpusManifest Build(IngestOptions options, ITokenizer tokenizer, SplitPlan plan, string temp)
    {
        DiskSpace.Require(temp, DiskBytes(plan), "ingesting this corpus");
        using var stage = new TokenizeStage(temp, () => TokenizerFactory.Create(options.Tokenizer), options.Format, progress, Workers, BlockBytes);
        stage.Run(plan, options.EffectiveFractions);
        var train = stage.SplitCounters[Splits.Train];
        if (train.Words == 0) throw new InputException("the training split holds no tokens after normalisation and tokenisation");

        progress?.Report(new ProgressReport("vocabulary", 0, null, "types"));
        var vocabulary = Vocabulary.Build(stage.Vocabulary.TrainingCounts(), options.Vocabulary, 0, train.Lines);
        if (vocabulary.Count == SpecialTokens.Count)
            throw new InputException($"no training word occurs at least --min-count {options.Vocabulary.MinCount} times: the vocabulary would be " +
                $"empty");
        var remap = stage.Vocabulary.RemapTo(vocabulary);
        var splits = new Dictionary<string, SplitManifest>();
        for (int s = 0; s < Splits.Names.Count; s++)
            splits[Splits.Names[s]] = WriteSplit(temp, s, stage.SplitCounters[s], remap);
        vocabulary.Save(Path.Combine(temp, "vocab.txt"));

        return new CorpusManifest
        {
            Name = options.Name,
            CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            Tool = ToolInfo.Description,
            Format = options.Format,
            Tokenizer = tokenizer.Settings,
            Vocabulary = new VocabularyManifest(options.Vocabulary.MinCount, options.Vocabulary.MaxVocab, vocabulary.Count, stage.TypeGrowth[^1][1]),
            Split = plan.Mode == "explicit"
                ? new SplitSettings(plan.Mode, null, null)
                : new SplitSettings(plan.Mode, options.EffectiveFractions, plan.LineBlocks ? null : options.Seed),
            Sources = stage.Sources,
            Splits = splits,
            TrainTypeGrowth = stage.TypeGrowth,
        };
    }

    /// <summary>Stage "write": provisional ids to final ids, counting OOVs; the document index beside it.</summary>
    private SplitManifest WriteSplit(string temp, int split, SplitCounter counter, int[] remap)
    {
        string name = Splits.Names[split];
        string provisional = TokenizeStage.ProvisionalPath(temp, name);
        long oov = 0, tokens = 0;
        using (var writer = new TokenFileWriter(Path.Combine(temp, name + ".bin")))
        {
            foreach (var chunk in ProvisionalChunks(provisional))
            {
                foreach (int id in chunk.Span)
                {
                    int final = remap[id];
                    if (final == SpecialTokens.UnknownId) oov++;
                    writer.Write(final);
                }
                tokens += chunk.Length;
                progress?.Report(new ProgressReport("write " + name, tokens, counter.Words + counter.Lines, "tokens"));
            }
            writer.Complete();
        }
        File.Delete(provisional);
        var bounds = counter.DocumentStarts.Append(tokens).ToArray();
        new DocumentIndex(bounds).Save(Path.Combine(temp, name + ".docs"));
        return new SplitManifest(counter.Documents, counter.Lines, tokens, tokens - counter.Lines, oov, counter.Bytes);
    }

    private static IEnumerable<ReadOnlyMemory<int>> ProvisionalChunks(string path)
    {
        var buffer = new int[1 << 18];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        int read;
        while ((read = stream.ReadAtLeast(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan()), buffer.Length * sizeof(int),
            throwOnEndOfStream: false)) > 0)
        {
            yield return buffer.AsMemory(0, read / sizeof(int));
        }
    }
}
