using System.CommandLine;
using LmCompare.Cli.Output;
using LmCompare.Core;
using LmCompare.Corpus.Synthetic;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc corpus synth --like CORPUS --tokens N --name NAME</c>: a corpus of any size drawn from a bigram model.</summary>
public static class CorpusSynthCommand
{
    private static readonly Option<string> NameOption = new("--name")
    {
        Description = "The new corpus (folder under <home>/corpora)", Required = true,
    };
    private static readonly Option<string> LikeOption = new("--like") { Description = "The ingested corpus whose training split gives the " +
        "bigram model (its vocabulary and ids are kept)", Required = true };
    private static readonly Option<string> TokensOption = new("--tokens") { Description = "Training tokens, e.g. 200M or 1G (k, M, G: 10^3, " +
        "10^6, 10^9); the last sentence is finished", Required = true };
    private static readonly Option<long> SeedOption = new("--seed") { Description = "Seed of the sampler: the same seed gives the same files",
        DefaultValueFactory = _ => 1 };
    private static readonly Option<string> HeldOutOption = new("--held-out-tokens") { Description = "Tokens of the validation and of the test " +
        "split each", DefaultValueFactory = _ => "1M" };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Replace an existing corpus of the same name" };

    public static Command Create()
    {
        var command = new Command("synth", "Write a synthetic corpus of N tokens sampled from a bigram model of an ingested corpus " +
            "(for measuring cost at scale, not quality)")
        {
            NameOption, LikeOption, TokensOption, SeedOption, HeldOutOption, ForceOption,
        };
        command.SetAction(parse => LmcApp.Execute(parse, context => Run(parse, context)));
        return command;
    }

    private static int Run(ParseResult parse, CommandContext context)
    {
        var options = new SynthOptions(parse.GetValue(NameOption)!, parse.GetValue(LikeOption)!,
            TokenCount.Parse(parse.GetValue(TokensOption)!, "--tokens"), parse.GetValue(SeedOption),
            TokenCount.Parse(parse.GetValue(HeldOutOption)!, "--held-out-tokens"), Force: parse.GetValue(ForceOption));
        var result = context.WithProgress("synth", progress => new CorpusSynthesizer(context.Workspace, progress).Synthesize(options));
        if (context.Json) context.WriteJson(CorpusSummary.Json(result));
        else CorpusSummary.Print(context, result);
        return ExitCodes.Success;
    }
}
