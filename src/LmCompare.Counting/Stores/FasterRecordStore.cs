using FASTER.core;
using LmCompare.Core;

namespace LmCompare.Counting.Stores;

/// <summary>
/// A durable map from 64-bit keys to fixed-size blittable records on Microsoft.FASTER.Core (FasterKV&lt;long, T&gt;), for
/// models whose entries carry more than one 64-bit number (the n-gram model: words, count, probability, backoff).
/// Like <see cref="FasterCountStore"/> it keeps FASTER's API inside, recovers the latest checkpoint on open and carries
/// a resume cookie with every checkpoint.
/// </summary>
public sealed class FasterRecordStore<T> : IDisposable where T : unmanaged
{
    private readonly FasterStoreSettings _settings;
    private readonly IDevice _device;
    private readonly FasterKV<long, T> _store;
    private readonly List<ClientSession<long, T, T, T, Empty, SimpleFunctions<long, T>>> _sessions = [];
    private bool _disposed;

    private FasterRecordStore(FasterStoreSettings settings, bool recover)
    {
        _settings = settings;
        Directory.CreateDirectory(settings.Directory);
        _device = Devices.CreateLogDevice(Path.Combine(settings.Directory, "hlog.log"), preallocateFile: false);
        int memoryBits = Math.Max(settings.PageSizeBits + 1, (int)Math.Floor(Math.Log2(settings.LogMemoryBytes)));
        _store = new FasterKV<long, T>(settings.IndexBuckets,
            new LogSettings { LogDevice = _device, PageSizeBits = settings.PageSizeBits, MemorySizeBits = memoryBits, MutableFraction = settings.MutableFraction, SegmentSizeBits = 30 },
            new CheckpointSettings { CheckpointDir = Path.Combine(settings.Directory, "checkpoints"), RemoveOutdated = true },
            comparer: new MixedLongComparer());
        if (recover)
        {
            try
            {
                _store.Recover();
                RecoveredCookie = _store.RecoveredCommitCookie ?? [];
            }
            catch (Exception e) when (e is FasterException or IOException or InvalidOperationException or FormatException or ArgumentException or IndexOutOfRangeException or EndOfStreamException)
            {
                Dispose();
                throw new InputException($"{Path.Combine(settings.Directory, "hlog.log")}: cannot recover the model store, its files are truncated or corrupt ({e.Message.ReplaceLineEndings(" ")})", e);
            }
        }
        for (int i = 0; i < Math.Max(1, settings.Threads); i++) _sessions.Add(_store.For(new SimpleFunctions<long, T>()).NewSession<SimpleFunctions<long, T>>());
    }

    public static FasterRecordStore<T> Create(FasterStoreSettings settings)
    {
        if (Directory.Exists(settings.Directory)) Directory.Delete(settings.Directory, recursive: true);
        return new FasterRecordStore<T>(settings, recover: false);
    }

    public static FasterRecordStore<T> Open(FasterStoreSettings settings)
    {
        string checkpoints = Path.Combine(settings.Directory, "checkpoints");
        if (!Directory.Exists(checkpoints) || !Directory.EnumerateFileSystemEntries(checkpoints, "*", SearchOption.AllDirectories).Any())
            throw new InputException($"{checkpoints}: no checkpoint of the model store (the build never checkpointed)");
        return new FasterRecordStore<T>(settings, recover: true);
    }

    public byte[] RecoveredCookie { get; private set; } = [];

    /// <summary>Sets records[i] for keys[i] (blind upserts, split over the sessions).</summary>
    public void Upsert(ReadOnlyMemory<long> keys, ReadOnlyMemory<T> records)
    {
        int parts = keys.Length >= 1 << 16 ? _sessions.Count : 1;
        int size = (keys.Length + parts - 1) / parts;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
        {
            var session = _sessions[p];
            var k = keys.Span;
            var r = records.Span;
            for (int i = p * size; i < Math.Min(keys.Length, (p + 1) * size); i++)
            {
                long key = k[i];
                T record = r[i];
                session.Upsert(ref key, ref record);
            }
            session.CompletePending(wait: true);
        });
    }

    /// <summary>Every live record (the latest version of each key: upserts replace, so the log scan keeps the last one seen).</summary>
    public Dictionary<long, T> ReadAll()
    {
        var result = new Dictionary<long, T>();
        using var iterator = _store.Log.Scan(_store.Log.BeginAddress, _store.Log.TailAddress);
        while (iterator.GetNext(out var info))
        {
            if (info.Invalid || info.Tombstone) continue;
            result[iterator.GetKey()] = iterator.GetValue();
        }
        return result;
    }

    public void Checkpoint(ReadOnlySpan<byte> cookie)
    {
        _store.CommitCookie = cookie.ToArray();
        var (success, _) = _store.TakeFullCheckpointAsync(CheckpointType.FoldOver).AsTask().GetAwaiter().GetResult();
        if (!success) throw new InvalidOperationException("FASTER refused the checkpoint (another one is in progress)");
        StoreCheckpoints.MarkComplete(_settings.Directory);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var session in _sessions) session.Dispose();
        _sessions.Clear();
        _store.Dispose();
        _device.Dispose();
    }
}
