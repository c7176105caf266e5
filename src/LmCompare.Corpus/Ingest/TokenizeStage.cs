using System.Text;
using LmCompare.Core;
using LmCompare.Corpus.Sources;

namespace LmCompare.Corpus.Ingest;

/// <summary>
/// Stage 2 of ingestion: reads every planned document, normalises and tokenises its lines, and writes provisional ids
/// (see <see cref="ProvisionalVocabulary"/>) per split into the temporary folder, with a line end after every line.
/// Training documents come first, so the type growth it records is that of the training split alone.
/// </summary>
internal sealed class TokenizeStage : IDisposable
{
    private readonly ITokenizer _tokenizer;
    private readonly LineNormalizer _normalizer;
    private readonly IProgress<ProgressReport>? _progress;
    private readonly TokenBuffer _buffer = new();
    private readonly TokenFileWriter[] _writers;
    private readonly SplitCounter[] _splits = [new(), new(), new()];
    private readonly List<long[]> _growth = [];
    private long _nextGrowthPoint = 1, _trainWords;
    private long _bytesDone, _bytesTotal;

    public TokenizeStage(string directory, ITokenizer tokenizer, string format, IProgress<ProgressReport>? progress)
    {
        _tokenizer = tokenizer;
        _normalizer = new LineNormalizer(format);
        _progress = progress;
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
        foreach (var document in plan.Documents)
        {
            if (plan.LineBlocks) ReadLineBlocks(document, fractions);
            else ReadDocument(document);
        }
        if (_growth.Count == 0 || _growth[^1][0] != _trainWords) _growth.Add([_trainWords, Vocabulary.TrainTypes]);
        foreach (var writer in _writers) { writer.Complete(); writer.Dispose(); }
    }

    private void ReadDocument(PlannedDocument document)
    {
        _splits[document.Split].StartDocument();
        long lines = 0;
        var read = DocumentReader.ReadLines(document.Source, raw =>
        {
            if (_normalizer.Normalize(raw) is { } line) { AddLine(line, document.Split); lines++; }
        });
        if (lines == 0) throw new InputException($"{document.Source.DisplayPath}: empty document (no text after normalisation)");
        Sources.Add(new SourceManifest(document.Source.DisplayPath, read.Sha256, read.FileBytes, read.TextBytes,
            Splits.Names[document.Split], lines, read.InvalidUtf8));
    }

    /// <summary>One document cut into contiguous blocks of lines: train, then valid, then test.</summary>
    private void ReadLineBlocks(PlannedDocument document, double[] fractions)
    {
        long total = 0;
        DocumentReader.ReadLines(document.Source, raw => { if (_normalizer.Normalize(raw) is not null) total++; });
        if (total == 0) throw new InputException($"{document.Source.DisplayPath}: empty document (no text after normalisation)");
        var ends = LineBlockEnds(total, fractions);
        long index = 0;
        int current = -1;
        var read = DocumentReader.ReadLines(document.Source, raw =>
        {
            if (_normalizer.Normalize(raw) is not { } line) return;
            int split = index < ends[0] ? Splits.Train : index < ends[1] ? Splits.Valid : Splits.Test;
            if (split != current) { _splits[split].StartDocument(); current = split; }
            AddLine(line, split);
            index++;
        });
        Sources.Add(new SourceManifest(document.Source.DisplayPath, read.Sha256, read.FileBytes, read.TextBytes, "all", total, read.InvalidUtf8));
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

    private void AddLine(string line, int split)
    {
        var counter = _splits[split];
        var writer = _writers[split];
        _tokenizer.Tokenize(line, _buffer);
        for (int i = 0; i < _buffer.Count; i++)
        {
            int id = Vocabulary.Intern(_buffer.Key(i));
            writer.Write(id);
            if (split == Splits.Train) CountTrainingWord(id);
        }
        writer.Write(ProvisionalVocabulary.LineEnd);
        long bytes = Encoding.UTF8.GetByteCount(line) + 1; // + the newline that </s> stands for
        counter.AddLine(_buffer.Count, bytes);
        _bytesDone += bytes;
        if ((counter.Lines & 1023) == 0) _progress?.Report(new ProgressReport("tokenize", _bytesDone, _bytesTotal, "bytes"));
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
