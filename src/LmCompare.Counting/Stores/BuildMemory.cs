namespace LmCompare.Counting.Stores;

/// <summary>Keeps a count build near its --memory budget between stages.</summary>
internal static class BuildMemory
{
    /// <summary>
    /// A stage's buffers are garbage once it ends; a full blocking, compacting collection returns them before the next
    /// stage allocates its own (the collector would otherwise let the garbage of several stages pile up in the process).
    /// Milliseconds when little is alive, which is the case between stages.
    /// </summary>
    public static void Release()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
