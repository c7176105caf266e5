using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>Settings of <c>lmc ngram build</c>.</summary>
/// <param name="Order">Highest n-gram order, 1..8. Default 5.</param>
/// <param name="DiscountFallback">Use D1 = 0.5, D2 = 1, D3+ = 1.5 where the count-of-counts give no valid discount
/// (KenLM's --discount_fallback); without it such data is an error, as in KenLM.</param>
/// <param name="MemoryBytes">Budget reported for the build; n-gram counting here is in memory.</param>
public sealed record KneserNeySettings(int Order = 5, bool DiscountFallback = false, long MemoryBytes = 1L << 30)
{
    public const int MaxOrder = 8;

    public void Validate()
    {
        if (Order is < 1 or > MaxOrder) throw new UsageException($"--order must be in 1..{MaxOrder} (got {Order})");
    }
}

/// <summary>The three modified Kneser-Ney discounts of one order (Chen and Goodman 1998, eq. 26); index 0 is 0.</summary>
public readonly record struct Discount(float D1, float D2, float D3Plus)
{
    public static readonly Discount Fallback = new(0.5f, 1f, 1.5f);

    public float Get(long count) => count switch { <= 0 => 0f, 1 => D1, 2 => D2, _ => D3Plus };

    /// <summary>count - D(count) in single precision, as KenLM computes it.</summary>
    public float Apply(long count) => (float)count - Get(count);
}
