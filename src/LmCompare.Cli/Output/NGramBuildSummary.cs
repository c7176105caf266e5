using LmCompare.Counting.NGrams;
using LmCompare.Counting.NGrams.Mapped;
using Spectre.Console;

namespace LmCompare.Cli.Output;

/// <summary>What <c>lmc ngram build</c>, <c>finalize</c> and <c>import-arpa</c> print about the model they wrote.</summary>
public static class NGramBuildSummary
{
    public static void Print(CommandContext context, NGramBuildResult result)
    {
        var m = result.Manifest;
        if (result.AlreadyComplete) { Console.Out.WriteLine($"model {m.Name} is already complete ({result.Directory}); nothing to resume"); return; }
        var table = new Table().AddColumns("order", "n-grams", "D1", "D2", "D3+");
        for (int k = 0; k < m.Order; k++)
            table.AddRow((k + 1).ToString(), m.NGramCounts[k].ToString("N0"),
                m.Discounts.Length > k ? m.Discounts[k][0].ToString("0.0000") : "-",
                    m.Discounts.Length > k ? m.Discounts[k][1].ToString("0.0000") : "-",
                m.Discounts.Length > k ? m.Discounts[k][2].ToString("0.0000") : "-");
        context.Out.Write(table);
        Console.Out.WriteLine($"model {m.Name}: order {m.Order} ({m.Source}), built in {m.BuildSeconds:0.00} s " +
            $"({string.Join(", ", m.StageSeconds.Select(kv => $"{kv.Key} {kv.Value:0.00} s"))})");
        Console.Out.WriteLine(m.TestPerplexity is null
            ? "test: not scored at build time (an empty test split, or an estimate that streamed through files to stay within " +
                "--memory); run lmc ngram eval"
            : $"test: perplexity {m.TestPerplexity:0.0000} including OOVs, {m.TestPerplexityExclOov:0.0000} excluding, {m.TestOov:N0} OOVs, " +
                $"{m.TestTokens:N0} tokens (sentence scope, as KenLM's query)");
        Console.Out.WriteLine($"-> {result.Directory} ({Files(m)})");
    }

    /// <summary>Each file of the model folder with its size: ngrams.bin (every n-gram with its count, the source ARPA export
    /// reads) and the files scored in place.</summary>
    private static string Files(NGramModelManifest m)
    {
        static string Mb(long bytes) => $"{bytes / 1048576.0:0.0} MB";
        long probing = m.ScoringFormat == ProbingNGramModel.FormatName ? m.ScoringBytes : 0;
        var files = new List<string> { $"ngrams.bin {Mb(m.BytesOnDisk)}" };
        if (m.TrieBytes > 0) files.Add($"ngrams.trie {Mb(m.TrieBytes)}");
        if (probing > 0) files.Add($"ngrams.probing {Mb(probing)}");
        long total = m.BytesOnDisk + m.TrieBytes + probing;
        return string.Join(", ", files) + (files.Count > 1 ? $"; {Mb(total)} on disk" : " on disk");
    }
}
