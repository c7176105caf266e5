using System.Globalization;
using LmCompare.Core;

namespace LmCompare.Counting.Backends;

/// <summary>
/// A <b>shard</b> (<c>--shard i/n</c>): worker i of n, which counts the i-th of n contiguous, disjoint ranges of the training
/// tokens (docs/ARCHITECTURE.md, glossary). Only a backend that many processes share (a cluster) takes shards.
/// </summary>
public sealed record ShardSpec(int Index, int Count)
{
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int i) || !int.TryParse(parts[1],
            CultureInfo.InvariantCulture, out int n)
            || n < 1 || i < 0 || i >= n)
            throw new UsageException($"--shard {text}: expected i/n with 0 <= i < n");
        return new ShardSpec(i, n);
    }

    public (long From, long To) Range(long tokens) => (tokens * Index / Count, tokens * (Index + 1) / Count);

    /// <summary>The writer name a shard's batches and resume cookie go under.</summary>
    public string Worker => $"shard{Index}";
}
