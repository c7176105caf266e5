using LmCompare.Core;
using LmCompare.Corpus.Ingest;

namespace LmCompare.Corpus.Synthetic;

/// <summary>
/// What ingest records of a split, gathered from its token ids in order: lines, words, per-word counts, the type growth
/// at 2^k words, the text's bytes (each word's UTF-8 bytes, a space between words, a newline per line) and document
/// starts (a new document at the first line end after <c>documentTokens</c> tokens, none after the requested size).
/// </summary>
internal sealed class SplitStatistics(int vocabularySize, int[] tokenBytes, long documentTokens, long requestedTokens)
{
    private readonly long[] _counts = new long[vocabularySize];
    private readonly List<long[]> _growth = [];
    private readonly List<long> _starts = [0];
    private long _types, _words, _nextGrowth = 1, _lines, _bytes, _lineWords, _documentStart;

    public long Written { get; private set; }

    public void Add(ReadOnlySpan<int> tokens)
    {
        foreach (int next in tokens)
        {
            Written++;
            if (next == SpecialTokens.SentenceEndId)
            {
                _lines++;
                _bytes += _lineWords + (_lineWords == 0 ? 1 : 0); // spaces between words plus the newline
                _lineWords = 0;
                if (Written - _documentStart >= documentTokens && Written < requestedTokens) _starts.Add(_documentStart = Written);
                continue;
            }
            if (_counts[next]++ == 0) _types++;
            _bytes += tokenBytes[next];
            _lineWords++;
            if (++_words == _nextGrowth) { _growth.Add([_words, _types]); _nextGrowth *= 2; }
        }
    }

    /// <summary>Writes the document index and returns the split's manifest entry, counts and type growth.</summary>
    public SyntheticSplit Finish(string docsPath)
    {
        if (_growth.Count == 0 || _growth[^1][0] != _words) _growth.Add([_words, _types]);
        _starts.Add(Written);
        new DocumentIndex(_starts.ToArray()).Save(docsPath);
        _counts[SpecialTokens.SentenceEndId] = _lines;
        var split = new SplitManifest(_starts.Count - 1, _lines, Written, _words, _counts[SpecialTokens.UnknownId], _bytes);
        return new SyntheticSplit(split, _counts, _growth);
    }
}
