using System.CommandLine;
using LmCompare.Core;
using LmCompare.Corpus;
using Spectre.Console;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc corpus stats NAME</c>: counts per split, frequent words, Zipf and Heaps fits.</summary>
public static class CorpusStatsCommand
{
    private static readonly Argument<string> NameArgument = new("NAME") { Description = "An ingested corpus" };
    private static readonly Option<int> TopOption = new("--top") { Description = "How many frequent words to list", DefaultValueFactory = _ => 20 };

    public static Command Create()
    {
        var command = new Command("stats", "Types, tokens, OOV rate per split, the most frequent words, Zipf and Heaps' law fits")
        {
            NameArgument, TopOption,
        };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            int top = parse.GetValue(TopOption);
            if (top < 0) throw new UsageException("--top must not be negative");
            var stats = CorpusStatistics.Compute(TokenizedCorpus.Open(context.Workspace, parse.GetValue(NameArgument)!), top);
            if (context.Json) context.WriteJson(stats);
            else Print(context.Out, stats);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Print(IAnsiConsole console, CorpusStatistics stats)
    {
        Console.Out.WriteLine($"corpus {stats.Corpus}: {stats.Tokenizer} tokenizer, {stats.VocabularySize:N0} ids, {stats.TrainTypes:N0} training " +
            $"types before the cut");
        var splits = new Table().AddColumns("split", "documents", "lines", "tokens", "types", "OOV", "OOV rate", "bytes");
        foreach (var s in stats.Splits)
            splits.AddRow(s.Split, s.Documents.ToString("N0"), s.Lines.ToString("N0"), s.Tokens.ToString("N0"), s.Types.ToString("N0"),
                s.Oov.ToString("N0"), s.OovRate.ToString("P2"), s.Bytes.ToString("N0"));
        console.Write(splits);
        var words = new Table().AddColumns("rank", "word", "count");
        for (int i = 0; i < stats.TopWords.Count; i++)
            words.AddRow((i + 1).ToString(), Markup.Escape(stats.TopWords[i].Word), stats.TopWords[i].Count.ToString("N0"));
        console.Write(words);
        Console.Out.WriteLine(stats.Zipf is { } zipf
            ? $"Zipf: frequency ~ rank^{zipf.Slope:0.000} (R² {zipf.RSquared:0.000}, {zipf.Points} log-spaced ranks)"
            : "Zipf: too few words seen 5 times or more to fit");
        Console.Out.WriteLine(stats.Heaps is { } heaps
            ? $"Heaps: types ~ {Math.Exp(heaps.Intercept):0.00} × words^{heaps.Slope:0.000} (R² {heaps.RSquared:0.000}, {heaps.Points} points)"
            : "Heaps: too few training words to fit (needs 32 or more)");
    }
}
