namespace LmCompare.Evaluation.Analysis;

/// <summary>
/// What the analyses ask of the training data about one kind of key (n-grams of one order, or pairs at one distance):
/// whether a key occurs, how many distinct keys there are, and how many in a prefix of the training tokens.
/// <see cref="KeyCensus"/> answers exactly from all keys in memory; <see cref="StreamedKeyCensus"/> answers the keys it
/// was asked about beforehand exactly and estimates the distinct counts, in fixed memory, for training data of any size.
/// </summary>
public interface ITrainingKeys
{
    long Distinct { get; }

    bool Contains(ulong key);

    /// <summary><see cref="Contains"/> of every key into <paramref name="found"/>. The default asks one key at a time; the
    /// census held in memory sorts the keys and merges them with its own in one pass instead of a search per key.</summary>
    void ContainsAll(ReadOnlySpan<ulong> keys, Span<bool> found)
    {
        for (int i = 0; i < keys.Length; i++) found[i] = Contains(keys[i]);
    }

    /// <summary>Distinct keys that end before token <paramref name="prefixTokens"/>.</summary>
    long DistinctIn(long prefixTokens);
}
