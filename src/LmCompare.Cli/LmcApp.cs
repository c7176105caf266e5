using System.CommandLine;
using LmCompare.Cli.Commands;
using LmCompare.Core;

namespace LmCompare.Cli;

/// <summary>
/// The root command. Exit codes: 0 success, 1 usage error, 2 bad input or data, 3 internal failure.
/// </summary>
public static class LmcApp
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("lmc: compare pair-distance counting, Kneser-Ney n-grams and a small GPT on the same corpus");
        root.Options.Add(GlobalOptions.Home);
        root.Options.Add(GlobalOptions.Quiet);
        root.Options.Add(GlobalOptions.Json);
        var corpus = new Command("corpus", "Ingest text into a tokenised corpus and inspect it");
        corpus.Subcommands.Add(CorpusIngestCommand.Create());
        corpus.Subcommands.Add(CorpusSynthCommand.Create());
        corpus.Subcommands.Add(CorpusStatsCommand.Create());
        corpus.Subcommands.Add(CorpusListCommand.Create());
        root.Subcommands.Add(corpus);
        var pairs = new Command("pairs", "The pair-distance count model: (word, next word, distance) counts");
        pairs.Subcommands.Add(PairsBuildCommand.Create());
        pairs.Subcommands.Add(PairsFinalizeCommand.Create());
        pairs.Subcommands.Add(PairsAttachCommand.Create());
        pairs.Subcommands.Add(PairsPullCommand.Create());
        pairs.Subcommands.Add(PairsShowCommand.Create());
        pairs.Subcommands.Add(PairsTopCommand.Create());
        pairs.Subcommands.Add(PairsDumpCommand.Create());
        root.Subcommands.Add(pairs);
        var ngram = new Command("ngram", "The Kneser-Ney n-gram model, computed as KenLM's lmplz computes it; ARPA files");
        ngram.Subcommands.Add(NGramBuildCommand.Create());
        ngram.Subcommands.Add(NGramFinalizeCommand.Create());
        ngram.Subcommands.Add(NGramEvalCommand.Create());
        ngram.Subcommands.Add(NGramArpaCommands.Export());
        ngram.Subcommands.Add(NGramArpaCommands.Import());
        root.Subcommands.Add(ngram);
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(ReplCommand.Create());
        root.Subcommands.Add(EmbeddingCommands.Neighbors());
        root.Subcommands.Add(EmbeddingCommands.Analogy());
        root.Subcommands.Add(BenchMatmulCommand.Create());
        return root;
    }

    public static int Run(string[] args)
    {
        var parse = BuildRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, not the parser's default of the errors followed by the whole help text.
            Console.Error.WriteLine($"lmc: error: {string.Join("; ", parse.Errors.Select(e => e.Message))} (see: " +
                $"{CommandPath(parse.CommandResult)} --help)");
            return ExitCodes.Usage;
        }
        return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c) names.Add(c.Command is RootCommand ? "lmc" : c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>Runs a command body, turning every failure into one line on stderr and a documented exit code.</summary>
    public static int Execute(ParseResult parse, Func<CommandContext, int> body)
    {
        var context = new CommandContext(parse);
        try
        {
            return body(context);
        }
        catch (LmcException e)
        {
            context.Error(e.Message);
            return e.ExitCode;
        }
        catch (IOException e) when (DiskSpace.IsDiskFull(e))
        {
            context.Error($"disk full: {e.Message.ReplaceLineEndings(" ")}; free some space and run the command again (builds take --resume)");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            context.Error("cancelled");
            return ExitCodes.Internal;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("LMC_DEBUG") != "1")
        {
            context.Error($"internal error: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} (set LMC_DEBUG=1 for a stack trace)");
            return ExitCodes.Internal;
        }
    }
}
