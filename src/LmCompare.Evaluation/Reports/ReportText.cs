using System.Globalization;

namespace LmCompare.Evaluation.Reports;

/// <summary>Number formatting shared by the report formats and the CLI (invariant culture, "-" for missing).</summary>
public static class ReportText
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Bytes(long bytes) => bytes switch
    {
        <= 0 => "-",
        < 1L << 10 => $"{bytes} B",
        < 1L << 20 => (bytes / 1024.0).ToString("0.0", C) + " KiB",
        < 1L << 30 => (bytes / 1048576.0).ToString("0.0", C) + " MiB",
        _ => (bytes / 1073741824.0).ToString("0.00", C) + " GiB",
    };

    public static string Num(double? value, string format = "0.00") => value is { } v && double.IsFinite(v) ? v.ToString(format, C) : "-";

    public static string Pct(double? value, string format = "0.0") => value is { } v && double.IsFinite(v) ? (100 * v).ToString(format, C)
        + " %" : "-";

    public static string Grouped(long value) => value.ToString("N0", C);

    /// <summary>A tiny ratio as "3.2e-12".</summary>
    public static string Sci(double value) => double.IsFinite(value) ? value.ToString("0.##e+0", C) : "-";

    /// <summary>A big decimal string as "4.3e+21" (exact digits kept in report.json).</summary>
    public static string Big(string digits) => digits.Length <= 12
        ? long.Parse(digits, C).ToString("N0", C)
        : $"{digits[0]}.{digits.Substring(1, 2)}e+{digits.Length - 1}";
}
