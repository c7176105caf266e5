using System.CommandLine;
using System.Diagnostics;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.NGrams.Mapped;
using LmCompare.Counting.Stores;

namespace LmCompare.Cli.Commands;

/// <summary>
/// <c>lmc ngram eval MODEL [--split test | --text FILE] [--memory SIZE]</c>: KenLM's query summary for a split or a file,
/// scored in place from the model's mapped probing tables (a model built before them: from its model file, the lowest
/// orders cached within half of --memory, the rest read block by block).
/// </summary>
public static class NGramEvalCommand
{
    private static readonly Argument<string> ModelArgument = new("MODEL") { Description = "A built or imported n-gram model" };
    private static readonly Option<string> SplitOption = new("--split") { Description = "train, valid or test", DefaultValueFactory = _ => "test" };
    private static readonly Option<string?> TextOption = new("--text") { Description = "Score this text file instead (tokenised like the corpus)" };
    private static readonly Option<string> MemoryOption = new("--memory")
    {
        Description = "Memory budget: half of it caches the model's lowest orders, the rest are read from disk", DefaultValueFactory = _ => "1GB",
    };

    public static Command Create()
    {
        var command = new Command("eval", "Perplexity including and excluding OOVs, OOV and token counts (as KenLM's query)") { ModelArgument,
            SplitOption, TextOption, MemoryOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            string? text = parse.GetValue(TextOption);
            int split = Splits.Parse(parse.GetValue(SplitOption)!);
            var load = Stopwatch.StartNew();
            string name = parse.GetValue(ModelArgument)!;
            using var model = NGramModelLoader.OpenScoring(context.Workspace, name, MemorySize.Parse(parse.GetValue(MemoryOption)!) / 2);
            double loadSeconds = load.Elapsed.TotalSeconds;
            var corpus = TokenizedCorpus.Open(context.Workspace, NGramModelLoader.ReadManifest(context.Workspace, name).Manifest.Corpus);
            var tokens = text is null ? corpus.ReadTokens(split) : corpus.EncodeFile(text);
            var clock = Stopwatch.StartNew();
            KenLmPerplexity result;
            try { result = KenLmPerplexity.Compute(model, tokens); }
            catch (InputException) { model.EnsureIntact(); throw; } // a damaged file is named by its checksum first
            double seconds = clock.Elapsed.TotalSeconds;
            model.EnsureIntact();
            string source = text ?? $"{corpus.Name}/{Splits.Names[split]}";
            if (context.Json)
            {
                context.WriteJson(new
                {
                    model = name, format = FormatOf(model), source, tokens = result.Tokens, oov = result.Oov, perplexity = Finite(result.Perplexity),
                    perplexityExclOov = Finite(result.PerplexityExclOov), log10Total = result.Log10Total, loadSeconds, scoreSeconds = seconds,
                    tokensPerSecond = seconds > 0 ? result.Tokens / seconds : 0,
                });
                return ExitCodes.Success;
            }
            Console.Out.WriteLine($"{name} on {source}:");
            Console.Out.WriteLine($"Perplexity including OOVs:\t{result.Perplexity:0.0000}");
            Console.Out.WriteLine($"Perplexity excluding OOVs:\t{result.PerplexityExclOov:0.0000}");
            Console.Out.WriteLine($"OOVs:\t{result.Oov}");
            Console.Out.WriteLine($"Tokens:\t{result.Tokens}");
            double speed = result.Tokens / Math.Max(seconds, 1e-9);
            Console.Out.WriteLine($"(opened {FormatOf(model)} in {loadSeconds:0.000} s, scored {speed:N0} tokens/s)");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>A perplexity as JSON allows: null for a text with no tokens (0/0), not NaN.</summary>
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>The file scored: the mapped probing tables, or (a model built before them) the model file itself.</summary>
    private static string FormatOf(INGramLookup model) => model switch
    {
        ProbingNGramModel => ProbingNGramModel.FormatName,
        TrieNGramModel => TrieNGramModel.FormatName,
        _ => "bin",
    };
}
