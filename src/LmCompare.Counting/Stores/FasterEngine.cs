using FASTER.core;
using LmCompare.Core;

namespace LmCompare.Counting.Stores;

/// <summary>
/// What both FASTER stores do the same way: build a FasterKV&lt;long, T&gt; over a log device and checkpoint folder,
/// recover its latest checkpoint, take fold-over checkpoints carrying a resume cookie.
/// </summary>
internal static class FasterEngine
{
    public static string LogPath(FasterStoreSettings settings) => Path.Combine(settings.Directory, "hlog.log");

    private static string CheckpointPath(FasterStoreSettings settings) => Path.Combine(settings.Directory, "checkpoints");

    public static FasterKV<long, T> Create<T>(FasterStoreSettings settings, out IDevice device)
    {
        Directory.CreateDirectory(settings.Directory);
        device = Devices.CreateLogDevice(LogPath(settings), preallocateFile: false);
        int memoryBits = Math.Max(settings.PageSizeBits + 1, (int)Math.Floor(Math.Log2(settings.LogMemoryBytes)));
        return new FasterKV<long, T>(settings.IndexBuckets,
            new LogSettings { LogDevice = device, PageSizeBits = settings.PageSizeBits, MemorySizeBits = memoryBits,
                MutableFraction = settings.MutableFraction, SegmentSizeBits = 30 },
            new CheckpointSettings { CheckpointDir = CheckpointPath(settings), RemoveOutdated = true },
            comparer: new MixedLongComparer());
    }

    /// <summary>Empties the folder for a new store.</summary>
    public static void DeleteExisting(FasterStoreSettings settings)
    {
        if (Directory.Exists(settings.Directory)) Directory.Delete(settings.Directory, recursive: true);
    }

    /// <summary>Refuses a folder without any checkpoint, naming it.</summary>
    public static void RequireCheckpoint(FasterStoreSettings settings, string what)
    {
        string checkpoints = CheckpointPath(settings);
        if (!Directory.Exists(checkpoints) || !Directory.EnumerateFileSystemEntries(checkpoints, "*", SearchOption.AllDirectories).Any())
            throw new InputException($"{checkpoints}: no checkpoint of the {what} (the build never checkpointed)");
    }

    /// <summary>Recovers the latest checkpoint and returns its cookie; damaged files are an <see cref="InputException"/> naming the log.</summary>
    public static byte[] Recover<T>(FasterKV<long, T> store, FasterStoreSettings settings, string what)
    {
        try
        {
            store.Recover();
            return store.RecoveredCommitCookie ?? [];
        }
        catch (Exception e) when (e is FasterException or IOException or InvalidOperationException or FormatException or ArgumentException
            or IndexOutOfRangeException or EndOfStreamException)
        {
            throw new InputException($"{LogPath(settings)}: cannot recover the {what}, its files are truncated or corrupt " +
                $"({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    public static void Checkpoint<T>(FasterKV<long, T> store, FasterStoreSettings settings, ReadOnlySpan<byte> cookie)
    {
        store.CommitCookie = cookie.ToArray();
        var (success, _) = store.TakeFullCheckpointAsync(CheckpointType.FoldOver).AsTask().GetAwaiter().GetResult();
        if (!success) throw new InvalidOperationException("FASTER refused the checkpoint (another one is in progress)");
        StoreCheckpoints.MarkComplete(settings.Directory);
    }
}
