using System.Buffers.Binary;
using LmCompare.Core;
using StackExchange.Redis;

namespace LmCompare.Counting.Stores;

/// <summary>Where a Garnet-backed count store lives: endpoints (a cluster or one node), the password, the model's key space.</summary>
/// <param name="Endpoints">host:port[,host:port...].</param>
/// <param name="Model">Names the key space: every key of this store starts with <c>lmc:{Model:</c>.</param>
/// <param name="Worker">Names this writer's batches (sharded workers use their shard), so their batch ids never collide.</param>
/// <param name="Shards">Key-space shards; each is one hash tag, so one slot, so one script call per shard and batch.</param>
public sealed record GarnetStoreSettings(string Endpoints, string Model, string? Password = null, string Worker = "w0", int Shards = 256,
    int TimeoutMilliseconds = 10_000, int FieldsPerCall = 4096)
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
/// key-space shard: key <c>lmc:{model:s}:c</c>, field = the 8-byte key, value = the count (no Redis key per count). A
/// batch is applied exactly once: per shard, one Lua script records the batch id in <c>lmc:{model:s}:b</c> with HSETNX
/// and only then adds the deltas with HINCRBY, atomically and in the same slot, so a retried or replayed batch changes
/// nothing. Calls of one batch are pipelined (all shards in flight at once).
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

    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _db;
    private readonly GarnetStoreSettings _settings;
    private long _sequence;
    private string _scope = Guid.NewGuid().ToString("N")[..12]; // without a scope, batch ids never repeat an earlier run's

    private GarnetCountStore(ConnectionMultiplexer connection, GarnetStoreSettings settings)
    {
        _connection = connection;
        _db = connection.GetDatabase();
        _settings = settings;
    }

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
        { throw new InputException($"garnet at {settings.Endpoints}: authentication failed (wrong or missing password)"); }
        catch (RedisConnectionException e) { throw new InputException($"garnet at {settings.Endpoints}: unreachable ({e.FailureType})"); }
        try
        {
            var server = connection.GetServers().First();
            if (server.ServerType == ServerType.Cluster)
            {
                string info = connection.GetServers().First().Execute("CLUSTER", "INFO").ToString() ?? "";
                if (!info.Contains("cluster_slots_assigned:16384") || !info.Contains("cluster_state:ok"))
                    throw new InputException($"garnet cluster at {settings.Endpoints}: not every hash slot is assigned (cluster_state not ok)");
            }
            var store = new GarnetCountStore(connection, settings);
            store._db.Ping();
            return store;
        }
        catch (RedisServerException e) when (e.Message.Contains("NOAUTH") || e.Message.Contains("WRONGPASS"))
        {
            connection.Dispose();
            throw new InputException($"garnet at {settings.Endpoints}: authentication failed (wrong or missing password)");
        }
        catch (Exception) { connection.Dispose(); throw; }
    }

    private string Tag(int shard) => $"lmc:{{{_settings.Model}:{shard}}}";

    private int ShardOf(long key)
    {
        ulong z = (ulong)key * 0x9E3779B97F4A7C15UL;
        return (int)((z ^ (z >> 29)) % (ulong)_settings.Shards);
    }

    private static RedisValue Field(long key)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, key);
        return bytes;
    }

    public void AddBatch(ReadOnlyMemory<long> keys, ReadOnlyMemory<long> deltas) =>
        ApplyBatch($"{_settings.Worker}:{_scope}:{Interlocked.Increment(ref _sequence)}", keys.Span, deltas.Span);

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
    public int ApplyBatch(string batchId, ReadOnlySpan<long> keys, ReadOnlySpan<long> deltas)
    {
        // Per shard, the pairs in key order: a replay of the same batch splits it into the same script calls.
        var pairs = new Dictionary<int, List<(long Key, long Delta)>>();
        for (int i = 0; i < keys.Length; i++)
        {
            int shard = ShardOf(keys[i]);
            if (!pairs.TryGetValue(shard, out var list)) pairs[shard] = list = [];
            list.Add((keys[i], deltas[i]));
        }
        var byShard = new Dictionary<int, List<RedisValue>>();
        foreach (var (shard, list) in pairs)
        {
            list.Sort((a, b) => a.Key.CompareTo(b.Key));
            byShard[shard] = [.. list.SelectMany(p => new[] { Field(p.Key), (RedisValue)p.Delta })];
        }
        var calls = new List<Task<RedisResult>>();
        foreach (var (shard, args) in byShard)
            for (int from = 0, part = 0; from < args.Count; from += 2 * _settings.FieldsPerCall, part++)
            {
                var slice = args.Skip(from).Take(2 * _settings.FieldsPerCall);
                RedisValue[] argv = [$"{batchId}:{part}", .. slice];
                calls.Add(_db.ScriptEvaluateAsync(ApplyScript, [$"{Tag(shard)}:b", $"{Tag(shard)}:c"], argv));
            }
        Task.WaitAll([.. calls]);
        return calls.Count(c => (int)c.Result == 1);
    }

    public void GetBatch(ReadOnlySpan<long> keys, Span<long> values)
    {
        var byShard = new Dictionary<int, List<int>>();
        for (int i = 0; i < keys.Length; i++)
        {
            int shard = ShardOf(keys[i]);
            if (!byShard.TryGetValue(shard, out var list)) byShard[shard] = list = [];
            list.Add(i);
        }
        var keyArray = keys.ToArray();
        var calls = byShard.Select(kv => (kv.Value, Task: _db.HashGetAsync($"{Tag(kv.Key)}:c", kv.Value.Select(i => Field(keyArray[i])).ToArray()))).ToList();
        Task.WaitAll(calls.Select(c => (Task)c.Task).ToArray());
        foreach (var (indexes, task) in calls)
            for (int j = 0; j < indexes.Count; j++) values[indexes[j]] = task.Result[j].IsNull ? 0 : (long)task.Result[j];
    }

    public IEnumerable<KeyValuePair<long, long>> ScanRecords()
    {
        for (int shard = 0; shard < _settings.Shards; shard++)
            foreach (var entry in _db.HashScan($"{Tag(shard)}:c", pageSize: 4096))
                yield return new(BinaryPrimitives.ReadInt64LittleEndian((byte[])entry.Name!), (long)entry.Value);
    }

    public long RecordsUpperBound => Enumerable.Range(0, _settings.Shards).Sum(s => _db.HashLength($"{Tag(s)}:c"));

    /// <summary>The cluster applies every batch durably as it comes; the checkpoint only records the resume cookie.</summary>
    public void Checkpoint(ReadOnlySpan<byte> cookie) => _db.StringSet($"{Tag(0)}:cookie:{_settings.Worker}", cookie.ToArray());

    public byte[] RecoveredCookie => (byte[]?)_db.StringGet($"{Tag(0)}:cookie:{_settings.Worker}") ?? [];

    public StoreFootprint Footprint => new(RecordsUpperBound, 0);

    /// <summary>Records that shard <paramref name="index"/> is fully counted, with the settings it was counted with.</summary>
    public void MarkShardDone(int index, string fingerprint) => _db.HashSet($"{Tag(0)}:shards", index, fingerprint);

    /// <summary>Records that a shard worker began (so its partial counts are not taken for a foreign model's).</summary>
    public void MarkShardStarted(int index, string fingerprint) => _db.HashSet($"{Tag(0)}:shards-started", index, fingerprint);

    public Dictionary<int, string> ShardsStarted() =>
        _db.HashGetAll($"{Tag(0)}:shards-started").ToDictionary(e => (int)e.Name, e => e.Value.ToString());

    /// <summary>Every counted shard and the settings fingerprint it was counted with.</summary>
    public Dictionary<int, string> ShardMarkers() =>
        _db.HashGetAll($"{Tag(0)}:shards").ToDictionary(e => (int)e.Name, e => e.Value.ToString());

    /// <summary>Deletes this model's key space (counts, batch records, cookies).</summary>
    public void Drop()
    {
        var deletes = new List<Task>();
        for (int shard = 0; shard < _settings.Shards; shard++)
            deletes.Add(_db.KeyDeleteAsync([$"{Tag(shard)}:c", $"{Tag(shard)}:b"]));
        Task.WaitAll([.. deletes]);
        _db.KeyDelete($"{Tag(0)}:cookie:{_settings.Worker}");
        _db.KeyDelete($"{Tag(0)}:shards");
        _db.KeyDelete($"{Tag(0)}:shards-started");
    }

    public void Dispose() => _connection.Dispose();
}
