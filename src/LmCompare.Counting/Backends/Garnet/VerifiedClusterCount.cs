using LmCompare.Counting.Stores;
using LmCompare.Core;

namespace LmCompare.Counting.Backends.Garnet;

/// <summary>
/// Counting into a cluster so that nothing acknowledged is lost when a node crashes and restarts mid-run: count (from
/// the resume point), then commit every node's append-only file and check that every batch sent is still there
/// (<see cref="GarnetCountStore.LostBatches"/>); if some are not, count the whole range again. (Batches from before the
/// resume point are safe: the cookie that records it is written only after a commit.) Batch ids depend only on
/// where in the range a batch falls, so the replay applies exactly the lost batches and skips the rest.
/// </summary>
public static class VerifiedClusterCount
{
    private const int MaxReplays = 3;

    /// <param name="count">Counts from the given token to the end of the range.</param>
    /// <returns>The batches that had been lost and were applied again.</returns>
    public static long Run(GarnetCountStore store, long resumeFrom, long rangeStart, Action<long> count, IProgress<ProgressReport>? progress)
    {
        long replayed = 0;
        count(resumeFrom);
        for (int replay = 1; ; replay++)
        {
            long lost = store.LostBatches();
            if (lost == 0) return replayed;
            if (replay > MaxReplays)
                throw new InputException($"model {store.Model}: the cluster lost {lost} acknowledged batch(es) again after {MaxReplays} replays " +
                    $"(nodes keep restarting?); "
                    + "its counts are incomplete and this shard is not marked counted: run the command again with --resume once the cluster is " +
                        "stable");
            progress?.Report(new ProgressReport($"replay ({lost} batches lost by a restarted node)", replay, MaxReplays, "replays"));
            store.ForgetSentBatches();
            replayed += lost;
            count(rangeStart);
        }
    }
}
