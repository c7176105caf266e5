using System.Text;

namespace LmCompare.Core;

/// <summary>
/// The id &lt;-&gt; token map shared by every model of a corpus. Ids 0..2 are <c>&lt;unk&gt; &lt;s&gt; &lt;/s&gt;</c>;
/// words follow by training count descending, then ordinal string order, so a vocabulary is a pure
/// function of the training counts and the <see cref="VocabularyOptions"/>.
/// </summary>
public sealed class Vocabulary
{
    private readonly string[] _tokens;
    private readonly long[] _counts;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIds;

    private Vocabulary(string[] tokens, long[] counts)
    {
        _tokens = tokens;
        _counts = counts;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++)
            if (!_ids.TryAdd(tokens[i], i)) throw new DuplicateTokenException(i, tokens[i]);
        _spanIds = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of ids, including the three reserved tokens.</summary>
    public int Count => _tokens.Length;

    public string this[int id] => _tokens[id];

    /// <summary>How often the token occurred in the training split (for <c>&lt;unk&gt;</c>: tokens mapped to it).</summary>
    public long CountOf(int id) => _counts[id];

    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>The id of a token, or <see cref="SpecialTokens.UnknownId"/> when it is not in the vocabulary.</summary>
    public int IdOf(ReadOnlySpan<char> token) => _spanIds.TryGetValue(token, out int id) ? id : SpecialTokens.UnknownId;

    public bool Contains(ReadOnlySpan<char> token) => _spanIds.ContainsKey(token);

    /// <summary>
    /// Builds the vocabulary from training counts. <paramref name="unknownCount"/> and <paramref name="sentenceEndCount"/>
    /// are recorded as the counts of <c>&lt;unk&gt;</c> (before the cut) and <c>&lt;/s&gt;</c>; words cut by the options
    /// add their counts to <c>&lt;unk&gt;</c>.
    /// </summary>
    public static Vocabulary Build(IEnumerable<KeyValuePair<string, long>> trainCounts, VocabularyOptions options,
        long unknownCount = 0, long sentenceEndCount = 0)
    {
        options.Validate();
        var words = new List<KeyValuePair<string, long>>();
        long cut = 0;
        foreach (var kv in trainCounts)
        {
            if (SpecialTokens.IsSpecial(kv.Key)) { unknownCount += kv.Value; continue; }
            if (kv.Value >= options.MinCount) words.Add(kv);
            else cut += kv.Value;
        }
        words.Sort(static (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        if (options.MaxVocab > 0 && words.Count > options.MaxVocab)
        {
            for (int i = options.MaxVocab; i < words.Count; i++) cut += words[i].Value;
            words.RemoveRange(options.MaxVocab, words.Count - options.MaxVocab);
        }
        var tokens = new string[words.Count + SpecialTokens.Count];
        var counts = new long[tokens.Length];
        tokens[SpecialTokens.UnknownId] = SpecialTokens.Unknown;
        tokens[SpecialTokens.SentenceStartId] = SpecialTokens.SentenceStart;
        tokens[SpecialTokens.SentenceEndId] = SpecialTokens.SentenceEnd;
        counts[SpecialTokens.UnknownId] = unknownCount + cut;
        counts[SpecialTokens.SentenceEndId] = sentenceEndCount;
        for (int i = 0; i < words.Count; i++)
        {
            tokens[i + SpecialTokens.Count] = words[i].Key;
            counts[i + SpecialTokens.Count] = words[i].Value;
        }
        return new Vocabulary(tokens, counts);
    }

    /// <summary>The same tokens and ids with other counts (a corpus sampled from this one's model: its own counts).</summary>
    public Vocabulary WithCounts(long[] counts)
    {
        if (counts.Length != _tokens.Length) throw new ArgumentException($"{counts.Length} counts for {_tokens.Length} tokens", nameof(counts));
        return new Vocabulary(_tokens, (long[])counts.Clone());
    }

    /// <summary>Writes <c>token TAB count</c> per line; the line number (from 0) is the id.</summary>
    public void Save(string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.NewLine = "\n";
        for (int i = 0; i < _tokens.Length; i++)
        {
            writer.Write(_tokens[i]);
            writer.Write('\t');
            writer.WriteLine(_counts[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Reads a file written by <see cref="Save"/>; any malformed line is an <see cref="InputException"/> naming file and line.</summary>
    public static Vocabulary Load(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: vocabulary file not found");
        var tokens = new List<string>();
        var counts = new List<long>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            int tab = line.IndexOf('\t');
            if (tab <= 0 || line.IndexOf('\t', tab + 1) >= 0
                || !long.TryParse(line.AsSpan(tab + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture,
                    out long count))
                throw new InputException($"{path}:{lineNumber}: expected 'token<TAB>count'");
            tokens.Add(line[..tab]);
            counts.Add(count);
        }
        if (tokens.Count < SpecialTokens.Count || tokens[0] != SpecialTokens.Unknown
            || tokens[1] != SpecialTokens.SentenceStart || tokens[2] != SpecialTokens.SentenceEnd)
            throw new InputException($"{path}: the first three lines must be <unk>, <s> and </s>");
        try { return new Vocabulary(tokens.ToArray(), counts.ToArray()); }
        catch (DuplicateTokenException e) { throw new InputException($"{path}:{e.Id + 1}: duplicate token '{e.Token}'"); }
    }

    /// <summary>A token listed twice (its second id), found while the lookup is built.</summary>
    private sealed class DuplicateTokenException(int id, string token) : Exception
    {
        public int Id { get; } = id;
        public string Token { get; } = token;
    }

    /// <summary>True when both have the same tokens in the same order (counts are not compared).</summary>
    public bool SameTokensAs(Vocabulary other) =>
        other.Count == Count && _tokens.AsSpan().SequenceEqual(other._tokens);
}
