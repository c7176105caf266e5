using System.CommandLine;
using LmCompare.Counting.NGrams;

namespace LmCompare.Cli.Options;

/// <summary><c>--format probing|trie</c> of the commands that write an n-gram model.</summary>
public static class NGramFormatOption
{
    public static Option<string> Create() => new("--format")
    {
        Description = $"The file lmc ngram eval scores in place: {KneserNeySettings.Trie} (the trie alone, the smallest) or " +
            $"{KneserNeySettings.Probing} (hash tables, the fastest lookups, written beside the trie). The trie, which distributions and " +
            "top-k read, is written either way",
        DefaultValueFactory = _ => KneserNeySettings.Trie,
    };
}
