using System.Numerics;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Interpolation weights lambda_0..lambda_N, one set per group of history-word frequency buckets (Goodman 2001;
/// Chong et al. 2013). The bucket of a history is floor(log2 c_1(u,.)) + 1 of its last word u (0 for a word never
/// followed by anything), capped at <see cref="MaxBucket"/>; buckets with few validation positions share a group.
/// </summary>
/// <param name="BucketToGroup">Group of each bucket 0..MaxBucket.</param>
/// <param name="Weights">Weights[group][j]: j = 0 the unigram, j = d the distance-d component; each set sums to 1.</param>
public sealed record PairLambdas(int[] BucketToGroup, double[][] Weights)
{
    public const int MaxBucket = 24;

    public static int Bucket(long followers) =>
        followers <= 0 ? 0 : Math.Min(BitOperations.Log2((ulong)followers) + 1, MaxBucket);

    public double[] For(long followers) => Weights[BucketToGroup[Bucket(followers)]];

    /// <summary>Equal weights in one group: the starting point of EM and the fallback without validation data.</summary>
    public static PairLambdas Uniform(int distances) =>
        new(new int[MaxBucket + 1], [Enumerable.Repeat(1.0 / (distances + 1), distances + 1).ToArray()]);
}
