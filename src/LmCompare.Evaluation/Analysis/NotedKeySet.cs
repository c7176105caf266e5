namespace LmCompare.Evaluation.Analysis;

/// <summary>
/// The keys a streamed census was asked about, each with a "seen in training" flag: an open-addressing table of 64-bit
/// keys (linear probing, splitmix64 hash as <see cref="MixedKeyComparer"/> mapped onto the slots by multiplication, so a
/// table grows by half rather than doubling; 1/2 to 3/4 full) and one bit per slot. About 11-16 bytes a key against
/// 28-56 for a <c>Dictionary&lt;ulong, bool&gt;</c> (entry, bucket and growth slack): on
/// debian-docs the census notes about ten million keys, which made it the largest allocation of an evaluation. Not
/// thread-safe (each kind is scanned by one thread).
/// </summary>
internal sealed class NotedKeySet
{
    private ulong[] _keys = new ulong[1024]; // 0: empty (the key 0 is kept apart)
    private ulong[] _seen = new ulong[1024 / 64];
    private int _count;
    private bool _hasZero, _zeroSeen;

    public int Count => _count + (_hasZero ? 1 : 0);

    /// <summary>Notes the key (unseen) unless it is noted already.</summary>
    public void Add(ulong key)
    {
        if (key == 0) { _hasZero = true; return; }
        if ((_count + 1) * 4L > _keys.Length * 3L) Grow();
        long slot = Find(_keys, key);
        if (_keys[slot] == key) return;
        _keys[slot] = key;
        _count++;
    }

    /// <summary>Flags a noted key as seen; a key never noted is ignored.</summary>
    public void MarkSeen(ulong key)
    {
        if (key == 0) { _zeroSeen |= _hasZero; return; }
        long slot = Find(_keys, key);
        if (_keys[slot] == key) _seen[slot >> 6] |= 1UL << (int)(slot & 63);
    }

    /// <summary>Whether the key was noted, and then whether it was seen.</summary>
    public bool TryGetSeen(ulong key, out bool seen)
    {
        if (key == 0) { seen = _zeroSeen; return _hasZero; }
        long slot = Find(_keys, key);
        seen = (_seen[slot >> 6] & (1UL << (int)(slot & 63))) != 0;
        return _keys[slot] == key;
    }

    /// <summary>The key's slot, or the empty slot where it would go.</summary>
    private static long Find(ulong[] keys, ulong key)
    {
        long slot = (long)(((ulong)(uint)MixedKeyComparer.Instance.GetHashCode(key) * (ulong)keys.Length) >> 32);
        while (keys[slot] != 0 && keys[slot] != key) slot = slot + 1 == keys.Length ? 0 : slot + 1;
        return slot;
    }

    /// <summary>Half as many slots again; keys are rehashed (flags too, though keys are noted before any is seen).</summary>
    private void Grow()
    {
        var keys = new ulong[_keys.Length + _keys.Length / 2];
        var seen = new ulong[(keys.Length + 63) / 64];
        for (long i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] == 0) continue;
            long slot = Find(keys, _keys[i]);
            keys[slot] = _keys[i];
            if ((_seen[i >> 6] & (1UL << (int)(i & 63))) != 0) seen[slot >> 6] |= 1UL << (int)(slot & 63);
        }
        (_keys, _seen) = (keys, seen);
    }
}
