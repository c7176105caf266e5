using LmCompare.Counting.Stores;
using System.Globalization;
using LmCompare.Core;

namespace LmCompare.Counting.Backends.Garnet;

/// <summary>
/// The shards of one model in the cluster: which were started and which finished, each with the settings fingerprint it
/// was counted with (ending in <c>|shards=n</c>). Shared by the pair and n-gram workers and their finalize steps. What
/// the cluster already holds decides its refusals, so they are input errors (exit 2), as is any bad cluster state.
/// </summary>
public static class ShardLedger
{
    /// <summary>
    /// Checks that the shard may be counted and marks it started. Returns the token to count from: the shard's start, or
    /// with <paramref name="resume"/> the end of its last recorded chunk (the cookie under the shard's worker name).
    /// </summary>
    internal static long Begin(GarnetCountStore store, ShardSpec shard, string fingerprint, bool resume, long from)
    {
        string model = store.Model;
        var started = store.ShardsStarted();
        if (started.Count == 0 && store.RecordsUpperBound > 0)
            throw new InputException($"model {model} already has counts in the cluster that no shard worker wrote; use another name, or clear it " +
                $"with a single-process build (--force)");
        if (started.FirstOrDefault(m => m.Value != fingerprint) is { Value: not null } other)
            throw new InputException($"mixing shards built with different settings: shard {other.Key} of {model} was counted as {other.Value}, " +
                $"this one would be {fingerprint}");
        if (store.ShardMarkers().ContainsKey(shard.Index)) throw new InputException($"shard {shard.Index}/{shard.Count} of {model} is already " +
            $"counted");
        if (!started.ContainsKey(shard.Index))
        {
            if (resume) throw new InputException($"shard {shard.Index}/{shard.Count} of {model} was never started: nothing to resume (run it " +
                $"without --resume)");
            store.MarkShardStarted(shard.Index, fingerprint);
            return from;
        }
        if (!resume)
            throw new InputException($"shard {shard.Index}/{shard.Count} of {model} was started before and not finished: run the same command with " +
                $"--resume to continue it");
        // died before its first chunk was in: replay all (same batch ids)
        if (CountProgress.FromBytes(store.RecoveredCookie) is not { } progress) return from;
        if (progress.Fingerprint != fingerprint) throw new InputException($"shard {shard.Index}/{shard.Count} of {model} was counted with other " +
            $"settings: {progress.Fingerprint}");
        return progress.TokensDone;
    }

    /// <summary>
    /// A shard worker's protocol, the same for every kind of count: claim the shard (<see cref="Begin"/>), count its range
    /// from the resume point with the lost-batch check (<see cref="VerifiedClusterCount"/>), mark it done. The delegate
    /// gets the store, the token to count from, and the shard's range [from, to). Returns the tokens counted.
    /// </summary>
    public static long RunShard(GarnetStoreSettings garnet, ShardSpec shard, string fingerprint, bool resume, long trainTokens,
        Action<GarnetCountStore, long, long, long> count, IProgress<ProgressReport>? progress)
    {
        using var store = GarnetCountStore.Connect(garnet with { Worker = shard.Worker });
        var (from, to) = shard.Range(trainTokens);
        long start = Begin(store, shard, fingerprint, resume, from);
        VerifiedClusterCount.Run(store, start, from, begin => count(store, begin, from, to), progress);
        store.MarkShardDone(shard.Index, fingerprint);
        return to - start;
    }

    /// <summary>Names the shards not counted yet (refusing), or shards counted with other settings; returns n.</summary>
    public static int CheckComplete(GarnetCountStore store, string endpoints, Func<int, string> expectedFingerprint, string settingsDescription)
    {
        var markers = store.ShardMarkers();
        if (markers.Count == 0) throw new InputException($"no shard of {store.Model} has been counted in the cluster at {endpoints}");
        string any = markers.Values.First();
        int shards = int.Parse(any[(any.LastIndexOf('=') + 1)..], CultureInfo.InvariantCulture);
        string expected = expectedFingerprint(shards);
        if (markers.Values.Any(v => v != expected))
            throw new InputException($"the shards of {store.Model} were counted from another corpus or with other settings than " +
                $"{settingsDescription}");
        var missing = Enumerable.Range(0, shards).Where(i => !markers.ContainsKey(i)).ToList();
        if (missing.Count > 0)
            throw new InputException($"{store.Model}: shard(s) {string.Join(", ", missing.Select(i => $"{i}/{shards}"))} not counted yet; finalize " +
                $"once all {shards} are in");
        return shards;
    }
}
