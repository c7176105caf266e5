using LmCompare.Cli.Options;
using System.CommandLine;
using LmCompare.Core;
using LmCompare.Counting.Pairs;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc pairs finalize --corpus C --name M --store garnet://...</c>: the model, once every shard is counted.</summary>
public static class PairsFinalizeCommand
{
    private static readonly Option<string> CorpusOption = new("--corpus") { Description = "The corpus the shards counted", Required = true };
    private static readonly Option<string> NameOption = new("--name") { Description = "The model the shards counted into", Required = true };
    private static readonly Option<string?> StoreOption = CountingBackendOptions.Store(required: true);
    private static readonly Option<int> TimeoutOption = CountingBackendOptions.Timeout();
    private static readonly Option<int> DistancesOption = new("--distances") { DefaultValueFactory = _ => 8,
        Description = "N the shards were counted with" };
    private static readonly Option<int> TopKOption = new("--top-k") { DefaultValueFactory = _ => 20,
        Description = "Successors kept per (word, distance)" };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Replace an existing model folder" };

    public static Command Create()
    {
        var command = new Command("finalize",
            "Derive, fit and evaluate a pair model from shards counted into a cluster (refuses while shards are missing)")
            { CorpusOption, NameOption, StoreOption, DistancesOption, TopKOption, ForceOption, TimeoutOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            string name = parse.GetValue(NameOption)!;
            var settings = new PairModelSettings(parse.GetValue(DistancesOption), parse.GetValue(TopKOption),
                Backend: CountingBackendOptions.Backend(parse, StoreOption, TimeoutOption, name));
            var result = context.WithProgress("pairs finalize", progress => ShardedPairBuild.Finalize(context.Workspace,
                parse.GetValue(CorpusOption)!, name, settings,
                parse.GetValue(ForceOption) ? ExistingModel.Replace : ExistingModel.Refuse, progress));
            if (context.Json) context.WriteJson(result.Manifest);
            else Console.Out.WriteLine($"model {name}: {result.Manifest.DistinctPairs:N0} distinct pairs from the cluster, test perplexity " +
                $"{result.Manifest.TestPerplexity:0.00} (document scope) -> {result.Directory}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
