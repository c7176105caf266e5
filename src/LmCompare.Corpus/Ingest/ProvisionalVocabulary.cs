using LmCompare.Core;

namespace LmCompare.Corpus.Ingest;

/// <summary>
/// Interns every token string seen while tokenising, before the real vocabulary exists (it is cut from training
/// counts, which are only known at the end). Provisional id 0 marks a line end; ids 1..3 are the literal strings
/// <c>&lt;unk&gt; &lt;s&gt; &lt;/s&gt;</c>, which map to <c>&lt;unk&gt;</c> as KenLM treats them.
/// </summary>
internal sealed class ProvisionalVocabulary
{
    public const int LineEnd = 0;
    private const int Reserved = 4;

    private readonly SpanTable _table = new(); // ids from 1: the provisional ids themselves
    private long[] _trainCounts = new long[1024];

    public ProvisionalVocabulary()
    {
        foreach (string special in new[] { SpecialTokens.Unknown, SpecialTokens.SentenceStart, SpecialTokens.SentenceEnd })
            Intern(special);
    }

    /// <summary>Distinct token strings seen in any split, not counting the reserved entries.</summary>
    public int Types => _table.Count + 1 - Reserved;

    /// <summary>Distinct token strings seen in the training split, not counting the reserved entries.</summary>
    public long TrainTypes { get; private set; }

    public int Intern(ReadOnlySpan<char> key) => Intern(key, SpanTable.Hash(key));

    /// <summary>The provisional id of <paramref name="key"/> whose <see cref="SpanTable.Hash"/> is <paramref name="hash"/>.</summary>
    public int Intern(ReadOnlySpan<char> key, uint hash)
    {
        int id = _table.Intern(key, hash);
        if (id >= _trainCounts.Length) Array.Resize(ref _trainCounts, _trainCounts.Length * 2);
        return id;
    }

    public void CountTraining(int id)
    {
        if (_trainCounts[id]++ == 0 && id >= Reserved) TrainTypes++;
    }

    /// <summary>Training counts of every string (literal specials included: the vocabulary folds them into &lt;unk&gt;).</summary>
    public IEnumerable<KeyValuePair<string, long>> TrainingCounts()
    {
        for (int id = 1; id <= _table.Count; id++)
            if (_trainCounts[id] > 0) yield return new(new string(_table[id]), _trainCounts[id]);
    }

    /// <summary>Provisional id -&gt; final id under <paramref name="vocabulary"/>.</summary>
    public int[] RemapTo(Vocabulary vocabulary)
    {
        var map = new int[_table.Count + 1];
        map[LineEnd] = SpecialTokens.SentenceEndId;
        for (int id = 1; id <= _table.Count; id++) map[id] = id < Reserved ? SpecialTokens.UnknownId : vocabulary.IdOf(_table[id]);
        return map;
    }
}
