using FASTER.core;

namespace LmCompare.Counting.Stores;

/// <summary>
/// FASTER's default hash of a long combines its four 16-bit chunks linearly; packed keys with small fields then crowd
/// into few buckets (measured: 5x slower read-modify-write on pair keys, eval/RESULTS.md). The splitmix64 finaliser
/// (Steele et al. 2014) mixes every bit.
/// </summary>
internal sealed class MixedLongComparer : IFasterEqualityComparer<long>
{
    public bool Equals(ref long k1, ref long k2) => k1 == k2;

    public long GetHashCode64(ref long k)
    {
        ulong z = (ulong)k + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (long)(z ^ (z >> 31));
    }
}
