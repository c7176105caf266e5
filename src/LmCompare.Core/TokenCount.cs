using System.Globalization;

namespace LmCompare.Core;

/// <summary>Token counts as users write them: <c>200000</c>, <c>200k</c>, <c>200M</c>, <c>1G</c> or <c>1.5G</c> (powers of ten).</summary>
public static class TokenCount
{
    /// <summary>The count <paramref name="text"/> names; anything else is a <see cref="UsageException"/> naming <paramref name="option"/>.</summary>
    public static long Parse(string text, string option)
    {
        string t = text.Trim();
        double scale = 1;
        if (t.Length > 0 && char.ToUpperInvariant(t[^1]) is 'K' or 'M' or 'G' or 'B' or 'T')
        {
            scale = char.ToUpperInvariant(t[^1]) switch { 'K' => 1e3, 'M' => 1e6, 'G' or 'B' => 1e9, _ => 1e12 };
            t = t[..^1];
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value * scale is < 0 or > 1e15
            || double.IsNaN(value))
            throw new UsageException($"{option}: '{text}' is not a token count (e.g. 1000000, 200k, 200M, 1G)");
        return (long)Math.Round(value * scale);
    }
}
