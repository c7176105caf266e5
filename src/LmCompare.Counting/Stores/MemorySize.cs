using System.Globalization;
using LmCompare.Core;

namespace LmCompare.Counting.Stores;

/// <summary>Parses sizes such as <c>256MB</c>, <c>1GB</c>, <c>512k</c> (binary units: 1KB = 1024 bytes).</summary>
public static class MemorySize
{
    public static long Parse(string text, string option = "--memory")
    {
        var t = text.Trim().ToUpperInvariant();
        long unit = 1;
        foreach (var (suffix, value) in new[] { ("GB", 1L << 30), ("G", 1L << 30), ("MB", 1L << 20), ("M", 1L << 20), ("KB", 1L << 10),
            ("K", 1L << 10), ("B", 1L) })
        {
            if (!t.EndsWith(suffix, StringComparison.Ordinal)) continue;
            unit = value;
            t = t[..^suffix.Length];
            break;
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || number <= 0 || double.IsInfinity(number))
            throw new UsageException($"{option}: '{text}' is not a size (e.g. 256MB, 1GB)");
        double bytes = number * unit;
        if (bytes < 1 << 20) throw new UsageException($"{option} must be at least 1MB (got {text})");
        return (long)bytes;
    }

    public static string Format(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.##}GB" : $"{bytes / (double)(1L << 20):0.##}MB";
}
