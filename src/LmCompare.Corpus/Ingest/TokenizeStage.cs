using System.Buffers;
using LmCompare.Core;
using LmCompare.Corpus.Sources;

namespace LmCompare.Corpus.Ingest;

/// <summary>
/// Stage 2 of ingestion: reads every planned document, normalises and tokenises its lines, and writes provisional ids
/// (see <see cref="ProvisionalVocabulary"/>) per split into the temporary folder, with a line end after every line.
/// Training documents come first, so the type growth it records is that of the training split alone.
/// The work runs on every core (<see cref="OrderedPipeline"/>): one thread reads and hashes the files as blocks of
/// whole lines, workers decode and tokenise blocks with ids local to the block (<see cref="BlockTokenizer"/>), and
/// this thread takes the blocks in file order, looks up each block's distinct strings once to make the ids
/// corpus-wide and writes them, so the files are exactly those a single thread would write.
/// </summary>
internal sealed class TokenizeStage : IDisposable
{
    /// <summary>Bytes of text per block: large enough that a block's distinct strings are few against its tokens.</summary>
    internal const int BlockBytes = 1 << 21;

    private readonly Func<ITokenizer> _tokenizers;
    private readonly string _format;
    private readonly IProgress<ProgressReport>? _progress;
    private readonly TokenFileWriter[] _writers;
    private readonly SplitCounter[] _splits = [new(), new(), new()];
    private readonly List<long[]> _growth = [];
    private readonly int _workers, _blockBytes;
    private int[] _map = new int[1 << 16];
    private long _nextGrowthPoint = 1, _trainWords;
    private long _bytesDone, _bytesTotal;

    /// <param name="tokenizers">Makes one tokenizer per worker.</param>
    /// <param name="workers">Worker threads (default: one per core).</param>
    /// <param name="blockBytes">Bytes of text per block.</param>
    public TokenizeStage(string directory, Func<ITokenizer> tokenizers, string format, IProgress<ProgressReport>? progress, int workers = 0,
        int blockBytes = BlockBytes)
    {
        _blockBytes = blockBytes;
        _tokenizers = tokenizers;
        _format = format;
        _progress = progress;
        _workers = workers > 0 ? workers : Environment.ProcessorCount;
        _writers = Splits.Names.Select(n => new TokenFileWriter(ProvisionalPath(directory, n))).ToArray();
    }

    public static string ProvisionalPath(string directory, string split) => Path.Combine(directory, split + ".prov");

    public ProvisionalVocabulary Vocabulary { get; } = new();

    public List<SourceManifest> Sources { get; } = [];

    public IReadOnlyList<SplitCounter> SplitCounters => _splits;

    public IReadOnlyList<long[]> TypeGrowth => _growth;

    public void Run(SplitPlan plan, double[] fractions)
    {
        _bytesTotal = plan.Documents.Sum(d => d.SizeHint);
        if (plan.LineBlocks) ReadLineBlocks(plan.Documents[0], fractions);
        else ReadDocuments(plan.Documents);
        if (_growth.Count == 0 || _growth[^1][0] != _trainWords) _growth.Add([_trainWords, Vocabulary.TrainTypes]);
        foreach (var writer in _writers) { writer.Complete(); writer.Dispose(); }
    }

    private void ReadDocuments(IReadOnlyList<PlannedDocument> documents)
    {
        long lines = 0, invalid = 0;
        Tokenize(documents, (item, block) =>
        {
            var document = documents[item.Document];
            if (item is BlockItem { First: true }) _splits[document.Split].StartDocument();
            if (block is not null)
            {
                lines += block.Lines;
                invalid += block.InvalidUtf8;
                Merge(block, 0, block.Lines, document.Split);
                return;
            }
            var read = ((DocumentEndItem)item).Read with { InvalidUtf8 = invalid };
            if (lines == 0) throw new InputException($"{document.Source.DisplayPath}: empty document (no text after normalisation)");
            Sources.Add(new SourceManifest(document.Source.DisplayPath, read.Sha256, read.FileBytes, read.TextBytes,
                Splits.Names[document.Split], lines, read.InvalidUtf8));
            lines = invalid = 0;
        });
    }

    /// <summary>One document cut into contiguous blocks of lines: train, then valid, then test.</summary>
    private void ReadLineBlocks(PlannedDocument document, double[] fractions)
    {
        long total = CountLines(document);
        if (total == 0) throw new InputException($"{document.Source.DisplayPath}: empty document (no text after normalisation)");
        var ends = LineBlockEnds(total, fractions);
        long index = 0, invalid = 0;
        int current = -1;
        Tokenize([document], (item, block) =>
        {
            if (block is null)
            {
                var read = ((DocumentEndItem)item).Read;
                Sources.Add(new SourceManifest(document.Source.DisplayPath, read.Sha256, read.FileBytes, read.TextBytes, "all", total, invalid));
                return;
            }
            invalid += block.InvalidUtf8;
            int line = 0;
            while (line < block.Lines)
            {
                int split = index < ends[0] ? Splits.Train : index < ends[1] ? Splits.Valid : Splits.Test;
                if (split != current) { _splits[split].StartDocument(); current = split; }
                long splitEnd = split == Splits.Train ? ends[0] : split == Splits.Valid ? ends[1] : long.MaxValue;
                int take = (int)Math.Min(block.Lines - line, splitEnd - index);
                Merge(block, line, line + take, split);
                line += take;
                index += take;
            }
        });
    }

    private long CountLines(PlannedDocument document)
    {
        var counters = Enumerable.Range(0, _workers).Select(_ => new BlockTokenizer(_tokenizers(), _format)).ToArray();
        long total = 0;
        OrderedPipeline.Run(Items([document], _blockBytes), (w, item) =>
        {
            if (item is not BlockItem b) return 0L;
            try { return counters[w].CountLines(b.Bytes.AsSpan(0, b.Length), b.First); }
            finally { ArrayPool<byte>.Shared.Return(b.Bytes); }
        }, (_, lines) => total += lines, _workers, 4 * _workers);
        return total;
    }

    /// <summary>
    /// Tokenises the documents' blocks on the workers; <paramref name="consume"/> sees each item in order (the block is null
    /// at a document's end).
    /// </summary>
    private void Tokenize(IReadOnlyList<PlannedDocument> documents, Action<IngestItem, TokenizedBlock?> consume)
    {
        var tokenizers = Enumerable.Range(0, _workers).Select(_ => new BlockTokenizer(_tokenizers(), _format)).ToArray();
        OrderedPipeline.Run(Items(documents, _blockBytes), (w, item) =>
        {
            if (item is not BlockItem b) return null;
            try { return tokenizers[w].Tokenize(b.Bytes.AsSpan(0, b.Length), b.First); }
            finally { ArrayPool<byte>.Shared.Return(b.Bytes); }
        }, (item, block) =>
        {
            try { consume(item, block); }
            finally { block?.Return(); }
            _bytesDone += block?.RawBytes ?? 0;
            if (block is not null) _progress?.Report(new ProgressReport("tokenize", _bytesDone, _bytesTotal, "bytes"));
        }, _workers, 4 * _workers);
    }

    /// <summary>The blocks of every document in order, each document followed by its end (read on the producer thread).</summary>
    private static IEnumerable<IngestItem> Items(IReadOnlyList<PlannedDocument> documents, int blockBytes)
    {
        for (int d = 0; d < documents.Count; d++)
        {
            using var reader = new LineBlockReader(documents[d].Source, blockBytes);
            bool first = true;
            while (reader.TryRead(out var bytes, out int length))
            {
                yield return new BlockItem(d, bytes, length, first);
                first = false;
            }
            yield return new DocumentEndItem(d, reader.Finish(invalidUtf8: 0));
        }
    }

    /// <summary>Lines [<paramref name="fromLine"/>, <paramref name="toLine"/>) of a block, in corpus-wide ids, into a split.</summary>
    private void Merge(TokenizedBlock block, int fromLine, int toLine, int split)
    {
        if (fromLine == 0) MapTypes(block.Types);
        var counter = _splits[split];
        var writer = _writers[split];
        var ids = block.Ids;
        int at = LineStart(block, fromLine);
        for (int line = fromLine; line < toLine; line++)
        {
            int words = 0;
            for (int id; (id = ids[at++]) != TokenizedBlock.LineEnd; words++)
            {
                int global = _map[id];
                writer.Write(global);
                if (split == Splits.Train) CountTrainingWord(global);
            }
            writer.Write(ProvisionalVocabulary.LineEnd);
            counter.AddLine(words, block.LineBytes[line]);
        }
        _lineCursor = (toLine, at);
    }

    private (int Line, int Offset) _lineCursor;

    /// <summary>Where a line's ids start: merges of one block run front to back, so the last merge's end is known.</summary>
    private int LineStart(TokenizedBlock block, int line)
    {
        if (line == 0) return 0;
        if (_lineCursor.Line == line) return _lineCursor.Offset;
        int at = 0;
        for (int l = 0; l < line; l++) while (block.Ids[at++] != TokenizedBlock.LineEnd) { }
        return at;
    }

    /// <summary>The block's local ids to provisional ids: one lookup per distinct string of the block.</summary>
    private void MapTypes(BlockTypes types)
    {
        if (_map.Length <= types.Count) _map = new int[Math.Max(types.Count + 1, _map.Length * 2)];
        _map[TokenizedBlock.LineEnd] = ProvisionalVocabulary.LineEnd;
        for (int t = 1; t <= types.Count; t++) _map[t] = Vocabulary.Intern(types[t], types.Hash(t));
    }

    /// <summary>End (exclusive) of the train block and of the valid block; a positive share gets at least one line.</summary>
    public static long[] LineBlockEnds(long lines, double[] fractions)
    {
        long valid = fractions[Splits.Valid] > 0 ? Math.Max(1, (long)Math.Round(lines * fractions[Splits.Valid])) : 0;
        long test = fractions[Splits.Test] > 0 ? Math.Max(1, (long)Math.Round(lines * fractions[Splits.Test])) : 0;
        if (lines - valid - test < 1)
            throw new UsageException($"a single document of {lines} lines is too short to split {string.Join(',', fractions)}");
        long trainEnd = lines - valid - test;
        return [trainEnd, trainEnd + valid];
    }

    private void CountTrainingWord(int id)
    {
        Vocabulary.CountTraining(id);
        if (++_trainWords == _nextGrowthPoint)
        {
            _growth.Add([_trainWords, Vocabulary.TrainTypes]);
            _nextGrowthPoint *= 2;
        }
    }

    public void Dispose()
    {
        foreach (var writer in _writers) writer.Dispose();
    }

    private abstract record IngestItem(int Document);

    private sealed record BlockItem(int Document, byte[] Bytes, int Length, bool First) : IngestItem(Document);

    private sealed record DocumentEndItem(int Document, DocumentReadResult Read) : IngestItem(Document);
}

/// <summary>Running totals of one split while tokenising.</summary>
internal sealed class SplitCounter
{
    public int Documents { get; private set; }
    public long Lines { get; private set; }
    public long Words { get; private set; }
    public long Bytes { get; private set; }
    public List<long> DocumentStarts { get; } = [];

    public void StartDocument()
    {
        Documents++;
        DocumentStarts.Add(Words + Lines); // tokens so far: words plus one </s> per line
    }

    public void AddLine(int words, long bytes)
    {
        Words += words;
        Lines++;
        Bytes += bytes;
    }
}
