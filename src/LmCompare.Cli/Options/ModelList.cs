using LmCompare.Core;

namespace LmCompare.Cli.Options;

/// <summary>A comma-separated list of model names (<c>--models A,B</c>): at least one, none twice.</summary>
public static class ModelList
{
    public static List<string> Parse(string value, string option)
    {
        var names = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        if (names.Count == 0) throw new UsageException($"{option}: no model named");
        var repeated = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new UsageException($"{option}: model '{repeated.Key}' is named twice");
        return names;
    }
}
