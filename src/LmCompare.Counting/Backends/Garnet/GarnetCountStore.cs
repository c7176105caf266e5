using LmCompare.Counting.Stores;
using System.Buffers.Binary;
using LmCompare.Core;
using StackExchange.Redis;

namespace LmCompare.Counting.Backends.Garnet;

/// <summary>Where a Garnet-backed count store lives: endpoints (a cluster or one node), the password, the model's key space.</summary>
/// <param name="Endpoints">host:port[,host:port...].</param>
/// <param name="Model">Names the key space: every key of this store starts with <c>lmc:{Model:</c>.</param>
/// <param name="Worker">Names this writer's batches (sharded workers use their shard), so their batch ids never collide.</param>
/// <param name="SlotGroups">Key-space groups (docs/ARCHITECTURE.md, glossary: slot group); each is one hash tag, so one
/// slot, so one transaction per group and part.</param>
/// <param name="TimeoutMilliseconds">Per request (connect, reply); a request that fails is retried, see <paramref name="RetrySeconds"/>.</param>
/// <param name="FieldsPerCall">Counts per part (bounds a transaction's size and the time a node spends applying it).</param>
/// <param name="RetrySeconds">How long a request that fails for want of a node (down, restarting, timing out) is retried, with
/// backoff from 50 ms doubling to 2 s, before the command gives up with one line (<c>--timeout</c>).</param>
/// <param name="NGramChunkTokens">Training positions an n-gram worker counts in memory before it sends them: the unit of
/// a resume (about 2M tokens).</param>
public sealed record GarnetStoreSettings(string Endpoints, string Model, string? Password = null, string Worker = "w0", int SlotGroups = 256,
    int TimeoutMilliseconds = 10_000, int FieldsPerCall = 4096, int RetrySeconds = 120, int NGramChunkTokens = 1 << 21)
{
    /// <summary>The scheme of a cluster's location (<c>--store</c>, and the <c>store</c> a manifest records).</summary>
    public const string Scheme = "garnet://";

    /// <summary>Where the cluster is, as a model's manifest records it: the scheme and the endpoints, never a password.</summary>
    public string Location => Scheme + Endpoints;

    /// <summary>The cluster at a recorded location (a model's manifest names it), or null when the location is not a cluster.</summary>
    public static GarnetStoreSettings? At(string location, string model) =>
        location.StartsWith(Scheme, StringComparison.Ordinal) ? Parse(location, model) : null;

    /// <summary>Parses <c>garnet://[user:password@]host:port[,host:port...]</c>; the password may also come from LMC_GARNET_PASSWORD.</summary>
    public static GarnetStoreSettings Parse(string uri, string model)
    {
        if (!uri.StartsWith(Scheme,
            StringComparison.Ordinal)) throw new UsageException("--store: expected garnet://[user:password@]host:port[,host:port...]");
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
/// <see cref="ICountStore"/> on a Garnet (or Redis) cluster through StackExchange.Redis, in 256 key-space shards, each
/// one hash tag (so one slot). A batch's deltas go, per shard, into a part: a hash <c>lmc:{model:s}:p:batch:part</c>
/// (field = the key's bytes, 8 for a 64-bit key or an n-gram's packed ids; value = the delta) written with one HSET in
/// a MULTI/EXEC together with its name's SADD to the shard's index <c>lmc:{model:s}:parts</c>. Both commands set rather
/// than add, so a retried or replayed part (same batch id, same content) changes nothing, and a transaction is replayed
/// from a node's append-only file whole or not at all, so a crash never leaves half a part. (A Lua script that adds
/// with HINCRBY is neither: Garnet logs a script's commands one by one, so a crash inside one left its batch marker
/// without all its increments, measured.) Folding (<see cref="Fold"/>, once at finalize) sums each shard's parts into
/// its count hash <c>lmc:{model:s}:c</c> and deletes them; until then reads sum the parts. Calls of one batch are
/// pipelined (all shards in flight at once); calls that fail for want of a node are retried (<see cref="GarnetRetry"/>).
/// </summary>
public sealed partial class GarnetCountStore : ICountStore
{
    private const int ShardsInFlight = 16; // whole-hash reads at once: enough to fill the pipe, few enough to bound memory

    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _db;
    private readonly GarnetStoreSettings _settings;
    private readonly GarnetRetry _retry;
    private readonly List<(int Shard, RedisValue Part)> _issued = []; // every part this process sent, for LostBatches
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
        catch (RedisConnectionException e) when (e.Message.Contains("auth", StringComparison.OrdinalIgnoreCase)
            || e.FailureType == ConnectionFailureType.AuthenticationFailure)
        { throw AuthenticationFailed(settings); }
        catch (RedisConnectionException e) { throw new InputException($"garnet at {settings.Endpoints}: unreachable ({e.FailureType})"); }
        try
        {
            var server = connection.GetServers().First();
            if (server.ServerType == ServerType.Cluster)
            {
                string info = server.Execute("CLUSTER", "INFO").ToString() ?? "";
                if (!info.Contains("cluster_slots_assigned:16384") || !info.Contains("cluster_state:ok"))
                    throw new InputException($"garnet cluster at {settings.Endpoints}: not every hash slot is assigned and served (state " +
                        $"{InfoField(info, "cluster_state")}, "
                        + $"{InfoField(info, "cluster_slots_assigned")} of 16384 slots assigned, {InfoField(info, "cluster_slots_ok")} served); " +
                            $"assign them all, or wait for the missing node");
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
        info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + ":",
            StringComparison.Ordinal)) is { } line ? line[(name.Length + 1)..] : "?";

    private string Tag(int shard) => $"lmc:{{{_settings.Model}:{shard}}}";

    /// <summary>The key-space shard of a field: FNV-1a over its bytes, then a multiplicative mix (so 8-byte keys that differ
    /// only in high bytes still spread).</summary>
    private int ShardOf(ReadOnlySpan<byte> field)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in field) h = (h ^ b) * 1099511628211UL;
        h *= 0x9E3779B97F4A7C15UL;
        return (int)((h ^ (h >> 29)) % (ulong)_settings.SlotGroups);
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

    /// <summary>Writes the deltas as this batch id's parts (idempotent: a batch id sent again changes nothing). Returns the parts sent.</summary>
    /// <remarks>Grouped by shard with a counting sort and ordered by key within a shard (so a replay splits into the same
    /// parts); the fields are 8-byte slices of one buffer, not an array per key.</remarks>
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
        for (int group = 0; group < _settings.SlotGroups; group++)
            Array.Sort(sortedKeys, sortedDeltas, start[group], start[group + 1] - start[group]);
        var bytes = new byte[8 * sortedKeys.Length];
        for (int p = 0; p < sortedKeys.Length; p++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * p), sortedKeys[p]);
        return Send(batchId, start, p => bytes.AsMemory(8 * p, 8), sortedDeltas, p => sortedKeys[p - 1] == sortedKeys[p]);
    }

    /// <summary>Field-keyed <see cref="ApplyBatch"/>: per shard in field order, so a replay splits into the same parts.</summary>
    public int ApplyFields(string batchId, IReadOnlyList<(byte[] Field, long Delta)> entries)
    {
        var (start, order) = GroupByShard([.. entries.Select(e => ShardOf(e.Field))]);
        var fields = order.Select(i => entries[i].Field).ToArray();
        var deltas = order.Select(i => entries[i].Delta).ToArray();
        for (int shard = 0; shard < _settings.SlotGroups; shard++)
            Array.Sort(fields, deltas, start[shard], start[shard + 1] - start[shard],
                Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)));
        return Send(batchId, start, p => fields[p], deltas, p => fields[p - 1].AsSpan().SequenceEqual(fields[p]));
    }

    /// <summary>A counting sort by shard: where each shard's entries start (length shards + 1) and the entries in that order.</summary>
    private (int[] Start, int[] Order) GroupByShard(int[] shardOf)
    {
        var start = new int[_settings.SlotGroups + 1];
        foreach (int shard in shardOf) start[shard + 1]++;
        for (int shard = 0; shard < _settings.SlotGroups; shard++) start[shard + 1] += start[shard];
        var next = start.ToArray();
        var order = new int[shardOf.Length];
        for (int i = 0; i < shardOf.Length; i++) order[next[shardOf[i]]++] = i;
        return (start, order);
    }

    /// <summary>One part per shard and <see cref="GarnetStoreSettings.FieldsPerCall"/> entries, all in flight at once. Returns the parts
    /// sent.</summary>
    /// <param name="sameAsPrevious">Whether entry p has the key of entry p - 1 (a part sets, so one key's deltas are summed first).</param>
    private int Send(string batchId, int[] start, Func<int, RedisValue> field, long[] deltas, Func<int, bool> sameAsPrevious)
    {
        var calls = new List<Func<Task<bool>>>();
        for (int shard = 0; shard < _settings.SlotGroups; shard++)
        {
            RedisKey index = $"{Tag(shard)}:parts";
            for (int from = start[shard], part = 0; from < start[shard + 1]; from += _settings.FieldsPerCall, part++)
            {
                RedisValue name = $"{Tag(shard)}:p:{batchId}:{part}";
                var merged = new List<HashEntry>(Math.Min(_settings.FieldsPerCall, start[shard + 1] - from));
                for (int p = from; p < Math.Min(from + _settings.FieldsPerCall, start[shard + 1]); p++)
                    if (merged.Count > 0 && sameAsPrevious(p)) merged[^1] = new HashEntry(merged[^1].Name, (long)merged[^1].Value + deltas[p]);
                    else merged.Add(new HashEntry(field(p), deltas[p]));
                HashEntry[] entries = [.. merged]; // once, not on every attempt
                lock (_issued) _issued.Add((shard, name));
                calls.Add(() =>
                {
                    var transaction = _db.CreateTransaction();
                    _ = transaction.HashSetAsync((string)name!, entries);
                    _ = transaction.SetAddAsync(index, name);
                    return transaction.ExecuteAsync();
                });
            }
        }
        _retry.All(calls);
        return calls.Count;
    }

    /// <summary>
    /// Parts this process sent that the cluster no longer has: a node was killed and came back without the tail of its
    /// append-only file. Commits every node's file
    /// first (<see cref="CommitAppendOnlyFiles"/>), so what the check finds present stays present. Checked every time,
    /// not only after failed requests: a node can crash and restart between two requests without either failing. A
    /// writer that finds some replays its whole range: the replay's parts have the same names and contents, so writing
    /// the ones still present again changes nothing and the lost ones come back.
    /// </summary>
    public long LostBatches()
    {
        CommitAppendOnlyFiles();
        List<(int Shard, RedisValue Part)> issued;
        lock (_issued) issued = [.. _issued];
        var groups = issued.GroupBy(b => b.Shard).ToList();
        var replies = _retry.All(groups.Select(g
            => (Func<Task<bool[]>>)(() => _db.SetContainsAsync($"{Tag(g.Key)}:parts", g.Select(b => b.Part).ToArray()))).ToList());
        return replies.Sum(r => r.LongCount(present => !present));
    }

    /// <summary>
    /// Makes every write the cluster has acknowledged so far survive a crash of a node's process: COMMITAOF on every
    /// primary, which answers once the node's append-only file holds all it applied. A node acknowledges a write once it
    /// is applied in memory and commits its file a moment later (at once by default, only on COMMITAOF with
    /// <c>--aof-commit-freq -1</c>), so a node killed in between comes back without it. Called before every record that
    /// vouches for counts (<see cref="WriteDurably"/>), so none of them ever vouches for counts a crash could still take away.
    /// Nodes without <c>--aof</c> answer the same and keep nothing; Redis, which has no COMMITAOF, writes its file
    /// before it answers.
    /// </summary>
    private void CommitAppendOnlyFiles()
    {
        var primaries = _connection.GetServers().Where(s => !s.IsReplica).ToList();
        _retry.All(primaries.Select(server => (Func<Task<bool>>)(async () =>
        {
            try { await server.ExecuteAsync("COMMITAOF").ConfigureAwait(false); }
            catch (RedisServerException e) when (e.Message.Contains("unknown command", StringComparison.OrdinalIgnoreCase)) { }
            return true;
        })).ToList());
    }

    /// <summary>Starts a new record of sent batches (before a replay).</summary>
    public void ForgetSentBatches()
    {
        lock (_issued) _issued.Clear();
    }

    /// <summary>Records the resume cookie, durably, once every batch sent before it is committed (a resumed writer skips what the cookie
    /// covers).</summary>
    public void Checkpoint(ReadOnlySpan<byte> cookie) => WriteDurably($"{Tag(0)}:cookies", _settings.Worker, cookie.ToArray());

    /// <summary>This writer's last cookie (each worker keeps its own, in one hash per model).</summary>
    public byte[] RecoveredCookie => (byte[]?)_retry.One(() => _db.HashGetAsync($"{Tag(0)}:cookies", _settings.Worker)) ?? [];

    /// <summary>Records that shard <paramref name="index"/> is fully counted, with the settings it was counted with (durably).</summary>
    public void MarkShardDone(int index, string fingerprint) => WriteDurably($"{Tag(0)}:shards", index, fingerprint);

    /// <summary>Records that a shard worker began (so its partial counts are not taken for a foreign model's), durably.</summary>
    public void MarkShardStarted(int index, string fingerprint) => WriteDurably($"{Tag(0)}:shards-started", index, fingerprint);

    /// <summary>
    /// Writes a record that vouches for what came before it (a cookie, a shard marker, a manifest, the fold): commits the
    /// files first, so everything written before is kept whatever happens to the record; then sets the hash field,
    /// commits again and reads the field back: a node that crashed between the write and the commit has come back
    /// without it, so it is written again. Returns only once the record will stay.
    /// </summary>
    private void WriteDurably(RedisKey key, RedisValue field, RedisValue value)
    {
        CommitAppendOnlyFiles();
        for (int attempt = 1; ; attempt++)
        {
            _retry.One(() => _db.HashSetAsync(key, field, value));
            CommitAppendOnlyFiles();
            if (_retry.One(() => _db.HashGetAsync(key, field)) == value) return;
            if (attempt == 3) throw new InputException($"model {Model}: the cluster lost the record {key}/{field} three times after committing it " +
                $"(a node keeps restarting?); run the command again once the cluster is stable");
        }
    }

    public Dictionary<int, string> ShardsStarted() =>
        _retry.One(() => _db.HashGetAllAsync($"{Tag(0)}:shards-started")).ToDictionary(e => (int)e.Name, e => e.Value.ToString());

    /// <summary>Every counted shard and the settings fingerprint it was counted with.</summary>
    public Dictionary<int, string> ShardMarkers() =>
        _retry.One(() => _db.HashGetAllAsync($"{Tag(0)}:shards")).ToDictionary(e => (int)e.Name, e => e.Value.ToString());

    /// <summary>Stores a named value beside the model's counts (its manifest, once finalized).</summary>
    public void SetMeta(string name, byte[] value) => WriteDurably($"{Tag(0)}:meta", name, value);

    /// <summary>A value <see cref="SetMeta"/> stored, or null.</summary>
    public byte[]? GetMeta(string name) => (byte[]?)_retry.One(() => _db.HashGetAsync($"{Tag(0)}:meta", name));

    /// <summary>Deletes this model's key space (counts, parts and their indexes, every writer's cookie, shard markers, meta).</summary>
    public void Drop()
    {
        DeleteParts(counts: true);
        _retry.One(() => _db.KeyDeleteAsync([$"{Tag(0)}:cookies", $"{Tag(0)}:meta", $"{Tag(0)}:shards", $"{Tag(0)}:shards-started"]));
    }

    public void Dispose() => _connection.Dispose();
}
