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

    /// <summary>Distinct keys that end before token <paramref name="prefixTokens"/>.</summary>
    long DistinctIn(long prefixTokens);
}
