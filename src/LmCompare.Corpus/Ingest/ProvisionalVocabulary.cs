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

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _keys = [""];
    private long[] _trainCounts = new long[1024];

    public ProvisionalVocabulary()
    {
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (string special in new[] { SpecialTokens.Unknown, SpecialTokens.SentenceStart, SpecialTokens.SentenceEnd })
            Intern(special);
    }

    /// <summary>Distinct token strings seen in any split, not counting the reserved entries.</summary>
    public int Types => _keys.Count - Reserved;

    /// <summary>Distinct token strings seen in the training split, not counting the reserved entries.</summary>
    public long TrainTypes { get; private set; }

    public int Intern(ReadOnlySpan<char> key)
    {
        if (_lookup.TryGetValue(key, out int id)) return id;
        id = _keys.Count;
        string text = key.ToString();
        _ids.Add(text, id);
        _keys.Add(text);
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
        for (int id = 1; id < _keys.Count; id++)
            if (_trainCounts[id] > 0) yield return new(_keys[id], _trainCounts[id]);
    }

    /// <summary>Provisional id -&gt; final id under <paramref name="vocabulary"/>.</summary>
    public int[] RemapTo(Vocabulary vocabulary)
    {
        var map = new int[_keys.Count];
        map[LineEnd] = SpecialTokens.SentenceEndId;
        for (int id = 1; id < _keys.Count; id++)
            map[id] = id < Reserved ? SpecialTokens.UnknownId : vocabulary.IdOf(_keys[id]);
        return map;
    }
}
