using System.Text.Json.Serialization;
using System.Numerics;
using LmCompare.Core;

namespace LmCompare.Evaluation.Analysis;

/// <summary>One kind of key: the n-grams of one order, or the word pairs at one distance.</summary>
/// <param name="Possible">Cells of the table: V^n for order n, V^2 for a pair distance; exact, as a decimal string (it passes 2^64 quickly).</param>
/// <param name="FillRatio">Distinct / possible.</param>
/// <param name="TestUnseen">Share of the test split's keys (occurrences) never seen in training.</param>
public sealed record SparsityRow(string Kind, int Size, long Distinct, string Possible, double FillRatio, double TestUnseen);

/// <param name="Fraction">Share of the training tokens (a prefix).</param>
/// <param name="NGrams">Distinct n-grams of orders 1..5 in that prefix.</param>
/// <param name="Pairs">Distinct pairs at distances 1..N in that prefix.</param>
public sealed record GrowthPoint(double Fraction, long Tokens, [property: JsonPropertyName("ngrams")] long[] NGrams, long[] Pairs);

/// <param name="DistinctEstimated">The distinct counts (and their growth) are HyperLogLog estimates (about 1%), the training data
/// being larger than the evaluation's memory; the unseen shares are exact either way.</param>
public sealed record SparsityReport(int VocabularySize, [property: JsonPropertyName("ngrams")] IReadOnlyList<SparsityRow> NGrams,
    IReadOnlyList<SparsityRow> Pairs, IReadOnlyList<GrowthPoint> Growth)
{
    public bool DistinctEstimated { get; init; }
}

/// <summary>
/// How empty the count tables are (docs/ARCHITECTURE.md, "The evaluation protocol"): per n-gram order 1..5 and pair distance 1..N, the distinct
/// keys in training against the V^n possible cells, and how many test keys were never seen; and how the distinct keys
/// grow with the training data (prefixes 1/16, 1/8, ... 1). Keys never cross a document boundary; &lt;/s&gt; is a token.
/// </summary>
public static class SparsityAnalysis
{
    public const int MaxOrder = 5;
    public static readonly double[] GrowthFractions = [1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1];

    /// <summary>What the report needs of one kind of key: its distinct count, in the whole split and in each growth prefix,
    /// and the share of the test split's keys it does not hold.</summary>
    public sealed record KindFigures(long Distinct, long[] DistinctInPrefixes, double TestUnseen);

    /// <summary>The figures of n-gram order <paramref name="order"/> (<paramref name="pair"/> false) or of the pairs at
    /// that distance, asked of the kind's training keys.</summary>
    public static KindFigures Figures(ITrainingKeys keys, bool pair, int order, long trainTokens, int[] test, DocumentIndex testDocs)
    {
        double unseen = pair
            ? UnseenShare(keys, test, testDocs, order, (t, p) => KeyCensus.PairKey(t[p - order], t[p]))
            : UnseenShare(keys, test, testDocs, order - 1, (t, p) => KeyCensus.NGramKey(t.Slice(p - order + 1, order)));
        var prefixes = GrowthFractions.Select(f => keys.DistinctIn(TrainingCensus.Prefix(trainTokens, f))).ToArray();
        return new KindFigures(keys.Distinct, prefixes, unseen);
    }

    public static SparsityReport Analyse(int vocabularySize, TrainingCensus census, int[] test, DocumentIndex testDocs)
    {
        int orders = census.NGrams.Length, kinds = orders + census.Pairs.Length;
        var figures = new KindFigures[kinds];
        // each kind on its own thread: they share nothing (a recording census notes each kind's keys in its own set)
        Parallel.For(0, kinds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => figures[i] = i < orders
            ? Figures(census.NGrams[i], false, i + 1, census.Tokens, test, testDocs)
            : Figures(census.Pairs[i - orders], true, i - orders + 1, census.Tokens, test, testDocs));
        return Report(vocabularySize, figures[..orders], figures[orders..], census.Tokens, census.Estimated);
    }

    /// <summary>The report from each kind's figures: n-gram orders 1.., then pair distances 1...</summary>
    public static SparsityReport Report(int vocabularySize, IReadOnlyList<KindFigures> ngrams, IReadOnlyList<KindFigures> pairs, long trainTokens,
        bool estimated)
    {
        var ngramRows = ngrams.Select((f, i) => Row("ngram", i + 1, f.Distinct, BigInteger.Pow(vocabularySize, i + 1), f.TestUnseen)).ToList();
        var pairRows = pairs.Select((f, i) => Row("pair", i + 1, f.Distinct, BigInteger.Pow(vocabularySize, 2), f.TestUnseen)).ToList();
        var growth = GrowthFractions.Select((f, g) => new GrowthPoint(f, TrainingCensus.Prefix(trainTokens, f),
            ngrams.Select(k => k.DistinctInPrefixes[g]).ToArray(), pairs.Select(k => k.DistinctInPrefixes[g]).ToArray())).ToList();
        return new SparsityReport(vocabularySize, ngramRows, pairRows, growth) { DistinctEstimated = estimated };
    }

    public static SparsityRow Row(string kind, int size, long distinct, BigInteger possible, double testUnseen) =>
        new(kind, size, distinct, possible.ToString(), FillRatio(distinct, possible), testUnseen);

    /// <summary>distinct / possible as a double, also when possible is far beyond 2^64 (computed in log space).</summary>
    public static double FillRatio(long distinct, BigInteger possible) =>
        distinct <= 0 || possible.IsZero ? 0 : Math.Exp(Math.Log(distinct) - BigInteger.Log(possible));

    /// <summary>Share of the test keys (each occurrence: a key ending at a position with enough history in its document) unseen in
    /// training, looked up together (<see cref="ITrainingKeys.ContainsAll"/>).</summary>
    private static double UnseenShare(ITrainingKeys train, int[] test, DocumentIndex documents, int firstOffset, KeyCensus.KeyAt keyAt)
    {
        var keys = new List<ulong>();
        for (int d = 0; d < documents.Documents; d++)
        {
            var (start, end) = documents[d];
            for (long i = start + firstOffset; i < end; i++) keys.Add(keyAt(test, (int)i));
        }
        if (keys.Count == 0) return double.NaN;
        var found = new bool[keys.Count];
        train.ContainsAll(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keys), found);
        return (double)found.Count(f => !f) / keys.Count;
    }
}
