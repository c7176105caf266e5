namespace LmCompare.Corpus.Synthetic;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number generators"): a 64-bit state advanced
/// by a Weyl constant and mixed; fast, and the same stream for a seed on every .NET version (System.Random's seeded
/// algorithm is an implementation detail), so a synthetic corpus is reproducible from its seed alone.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>) by Lemire's multiply-shift (the bias is below 2^-64 * bound).</summary>
    public long NextBelow(long bound) => (long)Math.BigMul(Next(), (ulong)bound, out _);
}
