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

    public static SparsityReport Analyse(int vocabularySize, TrainingCensus census, ReadOnlySpan<int> test, DocumentIndex testDocs)
    {
        int orders = census.NGrams.Length, kinds = orders + census.Pairs.Length;
        var unseen = new double[kinds];
        var tokens = test.ToArray();
        // each kind on its own thread: they share nothing (a recording census notes each kind's keys in its own set)
        Parallel.For(0, kinds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            if (i < orders)
            {
                int order = i + 1;
                unseen[i] = UnseenShare(census.NGrams[i], tokens, testDocs, order - 1, (t, p) => KeyCensus.NGramKey(t.Slice(p - order + 1, order)));
            }
            else
            {
                int distance = i - orders + 1;
                unseen[i] = UnseenShare(census.Pairs[i - orders], tokens, testDocs, distance, (t, p) => KeyCensus.PairKey(t[p - distance], t[p]));
            }
        });
        var ngramRows = Enumerable.Range(1, orders).Select(n =>
            Row("ngram", n, census.NGrams[n - 1].Distinct, BigInteger.Pow(vocabularySize, n), unseen[n - 1])).ToList();
        var pairRows = Enumerable.Range(1, census.Pairs.Length).Select(d =>
            Row("pair", d, census.Pairs[d - 1].Distinct, BigInteger.Pow(vocabularySize, 2), unseen[orders + d - 1])).ToList();
        var growth = GrowthFractions.Select(f =>
        {
            long prefix = TrainingCensus.Prefix(census.Tokens, f);
            return new GrowthPoint(f, prefix, census.NGrams.Select(c => c.DistinctIn(prefix)).ToArray(),
                census.Pairs.Select(c => c.DistinctIn(prefix)).ToArray());
        }).ToList();
        return new SparsityReport(vocabularySize, ngramRows, pairRows, growth) { DistinctEstimated = census.Estimated };
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
