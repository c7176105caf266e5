using LmCompare.Core;

namespace LmCompare.Evaluation.Analysis;

/// <summary>
/// The training keys the sparsity and novelty analyses ask about: n-grams of orders 1..<see cref="SparsityAnalysis.MaxOrder"/>
/// and pairs at distances 1..N, within documents. <see cref="Exact"/> holds every key (about 16 bytes per training token
/// and kind; <c>lmc eval</c> makes them a kind at a time instead, <see cref="TrainingAnalysis.ComputeExact"/>).
/// <see cref="Streamed"/> reads the training split once in blocks, in memory set by the test split, with the distinct
/// counts estimated (<see cref="HyperLogLog"/>, about 1%) and every lookup exact.
/// </summary>
public sealed class TrainingCensus
{
    public required ITrainingKeys[] NGrams { get; init; }
    public required ITrainingKeys[] Pairs { get; init; }
    public required long Tokens { get; init; }
    /// <summary>Distinct counts are HyperLogLog estimates.</summary>
    public bool Estimated { get; init; }

    /// <summary>The training prefix a growth fraction stands for.</summary>
    public static long Prefix(long tokens, double fraction) => (long)Math.Round(tokens * fraction);

    public static TrainingCensus Exact(int[] train, DocumentIndex documents, int distances)
    {
        var ngrams = new ITrainingKeys[SparsityAnalysis.MaxOrder];
        var pairs = new ITrainingKeys[distances];
        // one kind per core: each is its own sort over the whole split
        Parallel.For(0, ngrams.Length + distances, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            if (i < ngrams.Length) ngrams[i] = KeyCensus.OfNGrams(train, documents, i + 1);
            else pairs[i - ngrams.Length] = KeyCensus.OfPairs(train, documents, i - ngrams.Length + 1);
        });
        return new TrainingCensus { NGrams = ngrams, Pairs = pairs, Tokens = train.Length };
    }

    /// <summary>
    /// The census of a training split read from its file: <paramref name="record"/> runs the analyses once to note the
    /// keys they look up (their answers are thrown away), then one pass over the tokens answers them.
    /// </summary>
    public static TrainingCensus Streamed(TokenFileRanges train, DocumentIndex documents, int distances, Action<TrainingCensus> record,
        IProgress<ProgressReport>? progress)
    {
        var prefixes = SparsityAnalysis.GrowthFractions.Select(f => Prefix(train.Length, f)).ToList();
        var ngrams = Enumerable.Range(0, SparsityAnalysis.MaxOrder).Select(_ => new StreamedKeyCensus(prefixes)).ToArray();
        var pairs = Enumerable.Range(0, distances).Select(_ => new StreamedKeyCensus(prefixes)).ToArray();
        var census = new TrainingCensus { NGrams = ngrams, Pairs = pairs, Tokens = train.Length, Estimated = true };
        record(census);
        new TrainingKeyScan(ngrams, pairs, prefixes).Run(train, documents, progress);
        foreach (var kind in ngrams.Concat(pairs)) kind.Complete();
        return census;
    }
}
