namespace LmCompare.Core;

/// <summary>Names of corpora and models: safe as folder names everywhere.</summary>
public static class Names
{
    public static void Validate(string name)
    {
        bool ok = name.Length is > 0 and <= 64 && char.IsAsciiLetterOrDigit(name[0])
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
        if (!ok) throw new UsageException($"invalid name '{name}': use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit");
    }
}
