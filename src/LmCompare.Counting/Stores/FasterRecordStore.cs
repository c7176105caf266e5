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
        _store = FasterEngine.Create<T>(settings, out _device);
        if (recover)
        {
            try { RecoveredCookie = FasterEngine.Recover(_store, settings, "model store"); }
            catch { Dispose(); throw; }
        }
        for (int i = 0; i < Math.Max(1, settings.Threads); i++)
            _sessions.Add(_store.For(new SimpleFunctions<long, T>()).NewSession<SimpleFunctions<long, T>>());
    }

    public static FasterRecordStore<T> Create(FasterStoreSettings settings)
    {
        FasterEngine.DeleteExisting(settings);
        return new FasterRecordStore<T>(settings, recover: false);
    }

    public static FasterRecordStore<T> Open(FasterStoreSettings settings)
    {
        FasterEngine.RequireCheckpoint(settings, "model store");
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

    public void Checkpoint(ReadOnlySpan<byte> cookie) => FasterEngine.Checkpoint(_store, _settings, cookie);

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
