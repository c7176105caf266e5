namespace LmCompare.Counting.Stores;

/// <summary>Keeps a count build near its --memory budget between stages.</summary>
internal static class BuildMemory
{
    /// <summary>
    /// A stage's buffers are garbage once it ends; an aggressive collection frees them and gives the memory back to the
    /// operating system before the next stage allocates its own (a plain collection frees them but keeps the pages
    /// committed, so the process would stay at its largest stage's size). Milliseconds when little is alive, which is the
    /// case between stages.
    /// </summary>
    public static void Release()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
