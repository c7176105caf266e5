using LmCompare.Counting.Stores;
using FASTER.core;
using LmCompare.Core;

namespace LmCompare.Counting.Backends.Faster;

/// <summary>
/// <see cref="ICountStore"/> on Microsoft.FASTER.Core: a FasterKV&lt;long,long&gt; whose read-modify-write adds, with a
/// log device and checkpoints under <see cref="FasterStoreSettings.Directory"/>. All of FASTER's ref-heavy API stays
/// inside this class. Opening an existing folder recovers its latest checkpoint; the resume cookie travels with it.
/// </summary>
public sealed class FasterCountStore : ICountStore
{
    private readonly FasterStoreSettings _settings;
    private readonly IDevice _device;
    private readonly FasterKV<long, long> _store;
    private readonly SimpleFunctions<long, long> _functions = new((current, delta) => current + delta);
    private readonly List<ClientSession<long, long, long, long, Empty, SimpleFunctions<long, long>>> _sessions = [];

    private FasterCountStore(FasterStoreSettings settings, bool recover)
    {
        _settings = settings;
        _store = FasterEngine.Create<long>(settings, out _device);
        if (recover)
        {
            try { RecoveredCookie = FasterEngine.Recover(_store, settings, "count store"); }
            catch { Dispose(); throw; }
        }
        for (int i = 0; i < Math.Max(1, settings.Threads); i++) _sessions.Add(_store.For(_functions).NewSession<SimpleFunctions<long, long>>());
    }

    /// <summary>A new, empty store; whatever was in the folder is deleted first.</summary>
    public static FasterCountStore Create(FasterStoreSettings settings)
    {
        FasterEngine.DeleteExisting(settings);
        return new FasterCountStore(settings, recover: false);
    }

    /// <summary>Opens the store in the folder from its latest checkpoint; a missing or damaged store is an <see cref="InputException"/>.</summary>
    public static FasterCountStore Open(FasterStoreSettings settings)
    {
        FasterEngine.RequireCheckpoint(settings, "count store");
        return new FasterCountStore(settings, recover: true);
    }

    public byte[] RecoveredCookie { get; private set; } = [];

    public void AddBatch(ReadOnlyMemory<long> keys, ReadOnlyMemory<long> deltas)
    {
        if (keys.Length != deltas.Length) throw new ArgumentException("keys and deltas differ in length");
        int parts = keys.Length >= 1 << 16 ? _sessions.Count : 1;
        if (parts == 1) { AddRange(_sessions[0], keys.Span, deltas.Span); return; }
        int size = (keys.Length + parts - 1) / parts;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
        {
            int start = p * size, length = Math.Min(size, keys.Length - start);
            if (length > 0) AddRange(_sessions[p], keys.Span.Slice(start, length), deltas.Span.Slice(start, length));
        });
    }

    private static void AddRange(ClientSession<long, long, long, long, Empty, SimpleFunctions<long, long>> session, ReadOnlySpan<long> keys,
        ReadOnlySpan<long> deltas)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            long key = keys[i], delta = deltas[i];
            if (delta <= 0) throw new ArgumentOutOfRangeException(nameof(deltas), "count deltas must be positive");
            session.RMW(ref key, ref delta);
        }
        session.CompletePending(wait: true);
    }

    public void GetBatch(ReadOnlySpan<long> keys, Span<long> values)
    {
        var session = _sessions[0];
        var pending = new Dictionary<long, List<int>>();
        for (int i = 0; i < keys.Length; i++)
        {
            long key = keys[i], input = 0, output = 0;
            var status = session.Read(ref key, ref input, ref output);
            if (status.IsPending) { (pending.TryGetValue(key, out var list) ? list : pending[key] = []).Add(i); continue; }
            values[i] = status.Found ? output : 0;
        }
        if (pending.Count == 0) return;
        session.CompletePendingWithOutputs(out var outputs, wait: true);
        using (outputs)
            while (outputs.Next())
                foreach (int i in pending[outputs.Current.Key]) values[i] = outputs.Current.Status.Found ? outputs.Current.Output : 0;
    }

    public IEnumerable<KeyValuePair<long, long>> ScanRecords()
    {
        using var iterator = _store.Log.Scan(_store.Log.BeginAddress, _store.Log.TailAddress);
        while (iterator.GetNext(out var info))
        {
            if (info.Invalid || info.Tombstone) continue;
            yield return new(iterator.GetKey(), iterator.GetValue());
        }
    }

    /// <summary>Each record of a FasterKV&lt;long,long&gt; takes 24 bytes of log: RecordInfo, key, value.</summary>
    public long RecordsUpperBound => (_store.Log.TailAddress - _store.Log.BeginAddress) / 24 + 1;

    public void Checkpoint(ReadOnlySpan<byte> cookie) => FasterEngine.Checkpoint(_store, _settings, cookie);

    public StoreFootprint Footprint => new(_store.EntryCount, ModelFolder.BytesIn(_settings.Directory));

    private bool _disposed;

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
