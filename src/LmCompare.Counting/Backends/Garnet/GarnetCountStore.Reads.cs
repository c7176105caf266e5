using LmCompare.Counting.Stores;
using System.Buffers.Binary;
using LmCompare.Core;
using StackExchange.Redis;

namespace LmCompare.Counting.Backends.Garnet;

/// <summary>
/// Reading the counts: a folded model's from its count hashes, an unfolded one's by summing each shard's parts; and
/// folding, which turns the parts into the count hashes once.
/// </summary>
public sealed partial class GarnetCountStore
{
    private const string FoldedField = "folded";

    /// <summary>Whether the parts have been summed into the count hashes (<see cref="Fold"/>).</summary>
    public bool IsFolded => GetMeta(FoldedField) is not null;

    /// <summary>
    /// Sums every shard's parts into its count hash (HSET of the totals: writing them again changes nothing), commits
    /// the nodes' files, records that the model is folded (durably), then deletes the parts. A fold cut short leaves
    /// the parts, so the next one starts over from them; after the record, reads use the count hashes alone.
    /// Call once every writer is done (finalize): parts written afterwards would not be counted.
    /// </summary>
    public void Fold(IProgress<ProgressReport>? progress = null)
    {
        if (IsFolded) return;
        for (int first = 0; first < _settings.SlotGroups; first += ShardsInFlight)
        {
            var shards = Enumerable.Range(first, Math.Min(ShardsInFlight, _settings.SlotGroups - first)).ToList();
            var sums = SumParts(shards);
            var writes = new List<Func<Task<bool>>>();
            for (int g = 0; g < shards.Count; g++)
            {
                RedisKey counts = $"{Tag(shards[g])}:c";
                foreach (var chunk in sums[g].Select(e => new HashEntry(e.Key, e.Value)).Chunk(_settings.FieldsPerCall))
                    writes.Add(async () => { await _db.HashSetAsync(counts, chunk).ConfigureAwait(false); return true; });
            }
            _retry.All(writes);
            progress?.Report(new ProgressReport("fold", first + shards.Count, _settings.SlotGroups, "shards"));
        }
        SetMeta(FoldedField, [1]); // commits the count hashes before it records the fold
        DeleteParts();
    }

    /// <summary>Per shard, the names of its parts (its index set).</summary>
    private RedisValue[][] PartNames(IReadOnlyList<int> shards) =>
        _retry.All(shards.Select(s => (Func<Task<RedisValue[]>>)(() => _db.SetMembersAsync($"{Tag(s)}:parts"))).ToList());

    /// <summary>Deletes every shard's parts and index (and, with <paramref name="counts"/>, its count hash).</summary>
    private void DeleteParts(bool counts = false)
    {
        var shards = Enumerable.Range(0, _settings.SlotGroups).ToList();
        var names = PartNames(shards);
        _retry.All(shards.Select(s => (Func<Task<long>>)(() => _db.KeyDeleteAsync(
            [$"{Tag(s)}:parts", .. names[s].Select(p => (RedisKey)(string)p!), .. counts ? new RedisKey[] { $"{Tag(s)}:c" } : []]))).ToList());
    }

    /// <summary>Per shard, the sum of its parts' deltas by field (fields as byte arrays, compared by content).</summary>
    private List<Dictionary<byte[], long>> SumParts(List<int> shards)
    {
        var names = PartNames(shards);
        var reads = new List<(int Group, Func<Task<HashEntry[]>> Read)>();
        for (int g = 0; g < shards.Count; g++)
            foreach (var name in names[g]) reads.Add((g, () => _db.HashGetAllAsync((string)name!)));
        var replies = _retry.All(reads.Select(r => r.Read).ToList());
        var sums = shards.Select(_ => new Dictionary<byte[], long>(ByteArrayContentComparer.Instance)).ToList();
        for (int r = 0; r < reads.Count; r++)
            foreach (var entry in replies[r])
            {
                var key = (byte[])entry.Name!;
                sums[reads[r].Group][key] = sums[reads[r].Group].GetValueOrDefault(key) + (long)entry.Value;
            }
        return sums;
    }

    public void GetBatch(ReadOnlySpan<long> keys, Span<long> values)
    {
        var fields = new byte[keys.Length][];
        for (int i = 0; i < keys.Length; i++) fields[i] = Field(keys[i]);
        GetFields(fields).CopyTo(values);
    }

    /// <summary>The counts of the fields (0 when absent): one pipelined HMGET per shard once folded; before, the shards' parts summed.</summary>
    public long[] GetFields(IReadOnlyList<byte[]> fields)
    {
        var (start, order) = GroupByShard([.. fields.Select(f => ShardOf(f))]);
        var shards = Enumerable.Range(0, _settings.SlotGroups).Where(s => start[s + 1] > start[s]).ToList();
        var values = new long[fields.Count];
        if (!IsFolded)
        {
            var sums = SumParts(shards);
            for (int g = 0; g < shards.Count; g++)
                for (int p = start[shards[g]]; p < start[shards[g] + 1]; p++) values[order[p]] = sums[g].GetValueOrDefault(fields[order[p]]);
            return values;
        }
        var replies = _retry.All(shards.Select(s => (Func<Task<RedisValue[]>>)(() =>
            _db.HashGetAsync($"{Tag(s)}:c", order[start[s]..start[s + 1]].Select(i => (RedisValue)fields[i]).ToArray()))).ToList());
        for (int g = 0; g < shards.Count; g++)
            for (int j = 0, p = start[shards[g]]; j < replies[g].Length; j++, p++) values[order[p]] = replies[g][j].IsNull ? 0 : (long)replies[g][j];
        return values;
    }

    public IEnumerable<KeyValuePair<long, long>> ScanRecords() =>
        ScanFields().Select(e => new KeyValuePair<long, long>(BinaryPrimitives.ReadInt64LittleEndian(e.Field), e.Count));

    /// <summary>Every field with its count, each once: whole count hashes (or summed parts), <see cref="ShardsInFlight"/> shards at a time.</summary>
    public IEnumerable<(byte[] Field, long Count)> ScanFields()
    {
        bool folded = IsFolded;
        for (int first = 0; first < _settings.SlotGroups; first += ShardsInFlight)
        {
            var shards = Enumerable.Range(first, Math.Min(ShardsInFlight, _settings.SlotGroups - first)).ToList();
            if (!folded)
            {
                foreach (var sum in SumParts(shards))
                    foreach (var (field, count) in sum) yield return (field, count);
                continue;
            }
            var replies = _retry.All(shards.Select(s => (Func<Task<HashEntry[]>>)(() => _db.HashGetAllAsync($"{Tag(s)}:c"))).ToList());
            foreach (var reply in replies)
                foreach (var entry in reply) yield return ((byte[])entry.Name!, (long)entry.Value);
        }
    }

    /// <summary>Distinct fields once folded; before, the fields of all parts (a key sent in several batches counts once per batch).</summary>
    public long RecordsUpperBound
    {
        get
        {
            var shards = Enumerable.Range(0, _settings.SlotGroups).ToList();
            long counted = _retry.All(shards.Select(s => (Func<Task<long>>)(() => _db.HashLengthAsync($"{Tag(s)}:c"))).ToList()).Sum();
            var parts = PartNames(shards).SelectMany(n => n).Select(name => (Func<Task<long>>)(() => _db.HashLengthAsync((string)name!))).ToList();
            return counted + _retry.All(parts).Sum();
        }
    }

    public StoreFootprint Footprint => new(RecordsUpperBound, 0);

    private sealed class ByteArrayContentComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayContentComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
