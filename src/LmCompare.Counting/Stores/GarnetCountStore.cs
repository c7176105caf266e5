using System.Buffers.Binary;
using LmCompare.Core;
using StackExchange.Redis;

namespace LmCompare.Counting.Stores;

/// <summary>Where a Garnet-backed count store lives: endpoints (a cluster or one node), the password, the model's key space.</summary>
/// <param name="Endpoints">host:port[,host:port...].</param>
/// <param name="Model">Names the key space: every key of this store starts with <c>lmc:{Model:</c>.</param>
/// <param name="Worker">Names this writer's batches (sharded workers use their shard), so their batch ids never collide.</param>
/// <param name="Shards">Key-space shards; each is one hash tag, so one slot, so one script call per shard and batch.</param>
/// <param name="TimeoutMilliseconds">Per request (connect, reply); a request that fails is retried, see <paramref name="RetrySeconds"/>.</param>
/// <param name="FieldsPerCall">Counts per script call (bounds a call's size and the time a node spends in one script).</param>
/// <param name="RetrySeconds">How long a request that fails for want of a node (down, restarting, timing out) is retried, with
/// backoff from 50 ms doubling to 2 s, before the command gives up with one line (<c>--timeout</c>).</param>
public sealed record GarnetStoreSettings(string Endpoints, string Model, string? Password = null, string Worker = "w0", int Shards = 256,
    int TimeoutMilliseconds = 10_000, int FieldsPerCall = 4096, int RetrySeconds = 120)
{
    /// <summary>Parses <c>garnet://[user:password@]host:port[,host:port...]</c>; the password may also come from LMC_GARNET_PASSWORD.</summary>
    public static GarnetStoreSettings Parse(string uri, string model)
    {
        const string Scheme = "garnet://";
        if (!uri.StartsWith(Scheme, StringComparison.Ordinal)) throw new UsageException("--store: expected garnet://[user:password@]host:port[,host:port...]");
        string rest = uri[Scheme.Length..];
        string? password = Environment.GetEnvironmentVariable("LMC_GARNET_PASSWORD");
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            string credentials = rest[..at];
            password = credentials.Contains(':') ? credentials[(credentials.IndexOf(':') + 1)..] : credentials;
            rest = rest[(at + 1)..];
        }
        if (rest.Length == 0 || rest.Split(',').Any(e => !e.Contains(':'))) throw new UsageException("--store: every endpoint needs host:port");
        return new GarnetStoreSettings(rest, model, password);
    }
}

/// <summary>
/// <see cref="ICountStore"/> on a Garnet (or Redis) cluster through StackExchange.Redis. Counts live in hashes, one per
/// key-space shard: key <c>lmc:{model:s}:c</c>, field = the key's bytes (8 for a 64-bit key; an n-gram's packed ids),
/// value = the count (no Redis key per count). A batch is applied exactly once: per shard, one Lua script records the
/// batch id in <c>lmc:{model:s}:b</c> with HSETNX and only then adds the deltas with HINCRBY, atomically and in the same
/// slot, so a retried or replayed batch changes nothing. Calls of one batch are pipelined (all shards in flight at once);
/// calls that fail for want of a node are retried (<see cref="GarnetRetry"/>).
/// </summary>
public sealed class GarnetCountStore : ICountStore
{
    private const string ApplyScript = """
        if redis.call('HSETNX', KEYS[1], ARGV[1], 1) == 1 then
          for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
          return 1
        end
        return 0
        """;
    private const int ShardsInFlight = 16; // whole-hash reads at once: enough to fill the pipe, few enough to bound memory

    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _db;
    private readonly GarnetStoreSettings _settings;
    private readonly GarnetRetry _retry;
    private readonly List<(int Shard, RedisValue Id)> _issued = []; // every script call this process made, for LostBatches
    private long _sequence;
    private string _scope = Guid.NewGuid().ToString("N")[..12]; // without a scope, batch ids never repeat an earlier run's

    private GarnetCountStore(ConnectionMultiplexer connection, GarnetStoreSettings settings)
    {
        _connection = connection;
        _db = connection.GetDatabase();
        _settings = settings;
        _retry = new GarnetRetry(settings);
    }

    /// <summary>The model whose key space this store reads and writes.</summary>
    public string Model => _settings.Model;

    /// <summary>Requests sent again after a node failed to answer.</summary>
    public long Retries => Interlocked.Read(ref _retry.Retries);

    public static GarnetCountStore Connect(GarnetStoreSettings settings)
    {
        var options = new ConfigurationOptions
        {
            Password = settings.Password, AbortOnConnectFail = true, ConnectTimeout = settings.TimeoutMilliseconds,
            SyncTimeout = settings.TimeoutMilliseconds, AsyncTimeout = settings.TimeoutMilliseconds, ConnectRetry = 2,
        };
        foreach (string endpoint in settings.Endpoints.Split(',', StringSplitOptions.TrimEntries)) options.EndPoints.Add(endpoint);
        ConnectionMultiplexer connection;
        try { connection = ConnectionMultiplexer.Connect(options); }
        catch (RedisConnectionException e) when (e.Message.Contains("auth", StringComparison.OrdinalIgnoreCase) || e.FailureType == ConnectionFailureType.AuthenticationFailure)
        { throw AuthenticationFailed(settings); }
        catch (RedisConnectionException e) { throw new InputException($"garnet at {settings.Endpoints}: unreachable ({e.FailureType})"); }
        try
        {
            var server = connection.GetServers().First();
            if (server.ServerType == ServerType.Cluster)
            {
                string info = server.Execute("CLUSTER", "INFO").ToString() ?? "";
                if (!info.Contains("cluster_slots_assigned:16384") || !info.Contains("cluster_state:ok"))
                    throw new InputException($"garnet cluster at {settings.Endpoints}: not every hash slot is assigned and served (state {InfoField(info, "cluster_state")}, "
                        + $"{InfoField(info, "cluster_slots_assigned")} of 16384 slots assigned, {InfoField(info, "cluster_slots_ok")} served); assign them all, or wait for the missing node");
            }
            var store = new GarnetCountStore(connection, settings);
            store._db.Ping();
            return store;
        }
        catch (RedisServerException e) when (e.Message.Contains("NOAUTH") || e.Message.Contains("WRONGPASS"))
        {
            connection.Dispose();
            throw AuthenticationFailed(settings);
        }
        catch (Exception) { connection.Dispose(); throw; }
    }

    /// <summary>The one line for a refused password, wherever the refusal shows (connecting, or a later request); never the password.</summary>
    internal static InputException AuthenticationFailed(GarnetStoreSettings settings) =>
        new($"garnet at {settings.Endpoints}: authentication failed (wrong or missing password)");

    private static string InfoField(string info, string name) =>
        info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal)) is { } line ? line[(name.Length + 1)..] : "?";

    private string Tag(int shard) => $"lmc:{{{_settings.Model}:{shard}}}";

    /// <summary>The key-space shard of a field: FNV-1a over its bytes, then a multiplicative mix (so 8-byte keys that differ
    /// only in high bytes still spread).</summary>
    private int ShardOf(ReadOnlySpan<byte> field)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in field) h = (h ^ b) * 1099511628211UL;
        h *= 0x9E3779B97F4A7C15UL;
        return (int)((h ^ (h >> 29)) % (ulong)_settings.Shards);
    }

    private static byte[] Field(long key)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, key);
        return bytes;
    }

    public void AddBatch(ReadOnlyMemory<long> keys, ReadOnlyMemory<long> deltas) =>
        ApplyBatch($"{_settings.Worker}:{_scope}:{Interlocked.Increment(ref _sequence)}", keys.Span, deltas.Span);

    /// <summary>Adds field-keyed deltas under the next batch id of the current scope (see <see cref="BeginBatchScope"/>).</summary>
    public void AddFields(IReadOnlyList<(byte[] Field, long Delta)> entries) =>
        ApplyFields($"{_settings.Worker}:{_scope}:{Interlocked.Increment(ref _sequence)}", entries);

    /// <summary>
    /// Names the next batches "worker:scope:1", ":2", ...: a writer that replays the same work under the same scope
    /// (a resumed build re-counting from its last checkpoint) reproduces the ids, so what was applied is not applied again.
    /// </summary>
    public void BeginBatchScope(string scope)
    {
        _scope = scope;
        _sequence = 0;
    }

    /// <summary>Adds the deltas unless a batch with this id was applied before (per shard, atomically). Returns the shard calls that applied.</summary>
    /// <remarks>Grouped by shard with a counting sort and ordered by key within a shard (so a replay splits into the same
    /// script calls); the fields are 8-byte slices of one buffer, not an array per key.</remarks>
    public int ApplyBatch(string batchId, ReadOnlySpan<long> keys, ReadOnlySpan<long> deltas)
    {
        Span<byte> field = stackalloc byte[8];
        var shardOf = new int[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(field, keys[i]);
            shardOf[i] = ShardOf(field);
        }
        var (start, order) = GroupByShard(shardOf);
        var sortedKeys = new long[keys.Length];
        var sortedDeltas = new long[keys.Length];
        for (int p = 0; p < order.Length; p++) (sortedKeys[p], sortedDeltas[p]) = (keys[order[p]], deltas[order[p]]);
        for (int shard = 0; shard < _settings.Shards; shard++) Array.Sort(sortedKeys, sortedDeltas, start[shard], start[shard + 1] - start[shard]);
        var bytes = new byte[8 * sortedKeys.Length];
        for (int p = 0; p < sortedKeys.Length; p++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * p), sortedKeys[p]);
        return Send(batchId, start, p => bytes.AsMemory(8 * p, 8), sortedDeltas);
    }

    /// <summary>Field-keyed <see cref="ApplyBatch"/>: per shard in field order, so a replay splits into the same script calls.</summary>
    public int ApplyFields(string batchId, IReadOnlyList<(byte[] Field, long Delta)> entries)
    {
        var (start, order) = GroupByShard([.. entries.Select(e => ShardOf(e.Field))]);
        var fields = order.Select(i => entries[i].Field).ToArray();
        var deltas = order.Select(i => entries[i].Delta).ToArray();
        for (int shard = 0; shard < _settings.Shards; shard++)
            Array.Sort(fields, deltas, start[shard], start[shard + 1] - start[shard], Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)));
        return Send(batchId, start, p => fields[p], deltas);
    }

    /// <summary>A counting sort by shard: where each shard's entries start (length shards + 1) and the entries in that order.</summary>
    private (int[] Start, int[] Order) GroupByShard(int[] shardOf)
    {
        var start = new int[_settings.Shards + 1];
        foreach (int shard in shardOf) start[shard + 1]++;
        for (int shard = 0; shard < _settings.Shards; shard++) start[shard + 1] += start[shard];
        var next = start.ToArray();
        var order = new int[shardOf.Length];
        for (int i = 0; i < shardOf.Length; i++) order[next[shardOf[i]]++] = i;
        return (start, order);
    }

    /// <summary>One apply script per shard and <see cref="GarnetStoreSettings.FieldsPerCall"/> entries, all in flight at once.</summary>
    private int Send(string batchId, int[] start, Func<int, RedisValue> field, long[] deltas)
    {
        var calls = new List<Func<Task<RedisResult>>>();
        for (int shard = 0; shard < _settings.Shards; shard++)
        {
            RedisKey[] keys = [$"{Tag(shard)}:b", $"{Tag(shard)}:c"];
            for (int from = start[shard], part = 0; from < start[shard + 1]; from += _settings.FieldsPerCall, part++)
            {
                var argv = new RedisValue[1 + 2 * Math.Min(_settings.FieldsPerCall, start[shard + 1] - from)];
                argv[0] = $"{batchId}:{part}";
                lock (_issued) _issued.Add((shard, argv[0]));
                for (int j = 1, p = from; j < argv.Length; j += 2, p++) (argv[j], argv[j + 1]) = (field(p), deltas[p]);
                calls.Add(() => _db.ScriptEvaluateAsync(ApplyScript, keys, argv));
            }
        }
        return _retry.All(calls).Count(r => (int)r == 1);
    }

    /// <summary>
    /// Batches this process sent that the cluster no longer has (their markers are gone: a node was killed and came back
    /// without the tail of its append-only file, which the increments went with). Checked only after requests had to be
    /// retried; 0 otherwise. A writer that finds some replays its whole range: the replay's batch ids are the same, so
    /// the batches still present are skipped and only the lost ones applied.
    /// </summary>
    public long LostBatches(bool onlyAfterRetries = true)
    {
        if (onlyAfterRetries && Retries == 0) return 0;
        List<(int Shard, RedisValue Id)> issued;
        lock (_issued) issued = [.. _issued];
        var groups = issued.GroupBy(b => b.Shard).ToList();
        var replies = _retry.All(groups.Select(g => (Func<Task<RedisValue[]>>)(() => _db.HashGetAsync($"{Tag(g.Key)}:b", g.Select(b => b.Id).ToArray()))).ToList());
        return replies.Sum(r => r.LongCount(v => v.IsNull));
    }

    /// <summary>Starts a new record of sent batches (before a replay).</summary>
    public void ForgetSentBatches()
    {
        lock (_issued) _issued.Clear();
    }

    public void GetBatch(ReadOnlySpan<long> keys, Span<long> values)
    {
        var fields = new byte[keys.Length][];
        for (int i = 0; i < keys.Length; i++) fields[i] = Field(keys[i]);
        GetFields(fields).CopyTo(values);
    }

    /// <summary>The counts of the fields (0 when absent), one pipelined HMGET per shard.</summary>
    public long[] GetFields(IReadOnlyList<byte[]> fields)
    {
        var (start, order) = GroupByShard([.. fields.Select(f => ShardOf(f))]);
        var shards = Enumerable.Range(0, _settings.Shards).Where(s => start[s + 1] > start[s]).ToList();
        var replies = _retry.All(shards.Select(s => (Func<Task<RedisValue[]>>)(() =>
            _db.HashGetAsync($"{Tag(s)}:c", order[start[s]..start[s + 1]].Select(i => (RedisValue)fields[i]).ToArray()))).ToList());
        var values = new long[fields.Count];
        for (int g = 0; g < shards.Count; g++)
            for (int j = 0, p = start[shards[g]]; j < replies[g].Length; j++, p++) values[order[p]] = replies[g][j].IsNull ? 0 : (long)replies[g][j];
        return values;
    }

    public IEnumerable<KeyValuePair<long, long>> ScanRecords() =>
        ScanFields().Select(e => new KeyValuePair<long, long>(BinaryPrimitives.ReadInt64LittleEndian(e.Field), e.Count));

    /// <summary>Every stored field with its count: whole shard hashes, <see cref="ShardsInFlight"/> requests at a time.</summary>
    public IEnumerable<(byte[] Field, long Count)> ScanFields()
    {
        for (int first = 0; first < _settings.Shards; first += ShardsInFlight)
        {
            var shards = Enumerable.Range(first, Math.Min(ShardsInFlight, _settings.Shards - first)).ToList();
            var replies = _retry.All(shards.Select(s => (Func<Task<HashEntry[]>>)(() => _db.HashGetAllAsync($"{Tag(s)}:c"))).ToList());
            foreach (var reply in replies)
                foreach (var entry in reply) yield return ((byte[])entry.Name!, (long)entry.Value);
        }
    }

    public long RecordsUpperBound => _retry.All(Enumerable.Range(0, _settings.Shards)
        .Select(s => (Func<Task<long>>)(() => _db.HashLengthAsync($"{Tag(s)}:c"))).ToList()).Sum();

    /// <summary>The cluster applies every batch durably as it comes; the checkpoint only records the resume cookie.</summary>
    public void Checkpoint(ReadOnlySpan<byte> cookie)
    {
        byte[] value = cookie.ToArray();
        _retry.One(() => _db.HashSetAsync($"{Tag(0)}:cookies", _settings.Worker, value));
    }

    /// <summary>This writer's last cookie (each worker keeps its own, in one hash per model).</summary>
    public byte[] RecoveredCookie => (byte[]?)_retry.One(() => _db.HashGetAsync($"{Tag(0)}:cookies", _settings.Worker)) ?? [];

    public StoreFootprint Footprint => new(RecordsUpperBound, 0);

    /// <summary>Records that shard <paramref name="index"/> is fully counted, with the settings it was counted with.</summary>
    public void MarkShardDone(int index, string fingerprint) => _retry.One(() => _db.HashSetAsync($"{Tag(0)}:shards", index, fingerprint));

    /// <summary>Records that a shard worker began (so its partial counts are not taken for a foreign model's).</summary>
    public void MarkShardStarted(int index, string fingerprint) => _retry.One(() => _db.HashSetAsync($"{Tag(0)}:shards-started", index, fingerprint));

    public Dictionary<int, string> ShardsStarted() =>
        _retry.One(() => _db.HashGetAllAsync($"{Tag(0)}:shards-started")).ToDictionary(e => (int)e.Name, e => e.Value.ToString());

    /// <summary>Every counted shard and the settings fingerprint it was counted with.</summary>
    public Dictionary<int, string> ShardMarkers() =>
        _retry.One(() => _db.HashGetAllAsync($"{Tag(0)}:shards")).ToDictionary(e => (int)e.Name, e => e.Value.ToString());

    /// <summary>Stores a named value beside the model's counts (its manifest, once finalized).</summary>
    public void SetMeta(string name, byte[] value) => _retry.One(() => _db.HashSetAsync($"{Tag(0)}:meta", name, value));

    /// <summary>A value <see cref="SetMeta"/> stored, or null.</summary>
    public byte[]? GetMeta(string name) => (byte[]?)_retry.One(() => _db.HashGetAsync($"{Tag(0)}:meta", name));

    /// <summary>Deletes this model's key space (counts, batch records, every writer's cookie, shard markers).</summary>
    public void Drop()
    {
        _retry.All(Enumerable.Range(0, _settings.Shards).Select(s => (Func<Task<long>>)(() => _db.KeyDeleteAsync([$"{Tag(s)}:c", $"{Tag(s)}:b"]))).ToList());
        _retry.One(() => _db.KeyDeleteAsync([$"{Tag(0)}:cookies", $"{Tag(0)}:meta", $"{Tag(0)}:shards", $"{Tag(0)}:shards-started"]));
    }

    public void Dispose() => _connection.Dispose();
}
