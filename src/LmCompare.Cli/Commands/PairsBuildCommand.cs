using LmCompare.Cli.Options;
using System.CommandLine;
using LmCompare.Core;
using LmCompare.Counting;
using LmCompare.Counting.Pairs;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Stores;
using Spectre.Console;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc pairs build --corpus NAME --name MODEL</c>: count pairs at distances 1..N, derive, fit lambdas.</summary>
public static class PairsBuildCommand
{
    private static readonly Option<string> CorpusOption = new("--corpus") { Description = "An ingested corpus", Required = true };
    private static readonly Option<string> NameOption = new("--name") { Description = "Model name (folder under <home>/models)", Required = true };
    private static readonly Option<int> DistancesOption = new("--distances") { Description = "N: count pairs d = 1..N apart (1..64)",
        DefaultValueFactory = _ => 8 };
    private static readonly Option<int> TopKOption = new("--top-k") { Description = "Successors kept per (word, distance)",
        DefaultValueFactory = _ => 20 };
    private static readonly Option<string> MemoryOption = new("--memory") { Description = "Counting memory budget (e.g. 256MB, 1GB); the store " +
        "spills beyond it", DefaultValueFactory = _ => "1GB" };
    private static readonly Option<int> CheckpointOption = new("--checkpoint-seconds") { Description = "Merge and checkpoint at least this often",
        DefaultValueFactory = _ => 300 };
    private static readonly Option<bool> ResumeOption = new("--resume") { Description = "Continue an unfinished build from its last checkpoint" };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Rebuild an existing model from scratch" };
    private static readonly Option<string?> ShardOption = CountingBackendOptions.Shard("lmc pairs finalize");
    private static readonly Option<string?> StoreOption = CountingBackendOptions.Store();
    private static readonly Option<int> TimeoutOption = CountingBackendOptions.Timeout();

    public static Command Create()
    {
        var command = new Command("build", "Build the pair-distance count model (FASTER store, derived tables, EM-fitted lambdas)")
        {
            CorpusOption, NameOption, DistancesOption, TopKOption, MemoryOption, CheckpointOption, ResumeOption, ForceOption, StoreOption,
                ShardOption, TimeoutOption,
        };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            if (parse.GetValue(ResumeOption) && parse.GetValue(ForceOption)) throw new UsageException("--resume and --force exclude each other");
            var settings = new PairModelSettings(parse.GetValue(DistancesOption), parse.GetValue(TopKOption),
                MemorySize.Parse(parse.GetValue(MemoryOption)!), parse.GetValue(CheckpointOption),
                CountingBackendOptions.Backend(parse, StoreOption, TimeoutOption, parse.GetValue(NameOption)!));
            var existing = parse.GetValue(ForceOption) ? ExistingModel.Replace : parse.GetValue(ResumeOption) ? ExistingModel.Resume
                : ExistingModel.Refuse;
            if (parse.GetValue(ShardOption) is { } shardText)
            {
                var shard = ShardSpec.Parse(shardText);
                if (parse.GetValue(ForceOption)) throw new UsageException("--shard does not take --force (a shard's counts cannot be taken out of " +
                    "the model; rebuild the model under another name)");
                long counted = context.WithProgress("pairs shard", progress =>
                    ShardedPairBuild.CountShard(context.Workspace, parse.GetValue(CorpusOption)!, parse.GetValue(NameOption)!, settings, shard,
                        progress, parse.GetValue(ResumeOption)));
                Console.Out.WriteLine($"shard {shard.Index}/{shard.Count} of {parse.GetValue(NameOption)}: {counted:N0} tokens counted into the " +
                    $"cluster; run lmc pairs finalize once all {shard.Count} shards are in");
                return ExitCodes.Success;
            }
            var result = context.WithProgress("pairs build", progress =>
                new PairModelBuilder(context.Workspace, progress).Build(parse.GetValue(CorpusOption)!, parse.GetValue(NameOption)!, settings,
                    existing));
            if (context.Json) context.WriteJson(result.Manifest);
            else Print(context, result);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Print(CommandContext context, PairBuildResult result)
    {
        var m = result.Manifest;
        if (result.AlreadyComplete) { Console.Out.WriteLine($"model {m.Name} is already complete ({result.Directory}); nothing to resume"); return; }
        if (result.ResumedFromToken > 0) Console.Out.WriteLine($"resumed from the checkpoint at training token {result.ResumedFromToken:N0}");
        var em = new Table().AddColumns("EM iteration", "validation perplexity");
        var shown = m.EmIterations.Count <= 8 ? m.EmIterations : [.. m.EmIterations.Take(4), .. m.EmIterations.TakeLast(4)];
        foreach (var it in shown) em.AddRow(it.Iteration.ToString(), it.Perplexity.ToString("0.000"));
        if (shown.Count < m.EmIterations.Count) em.Caption($"{m.EmIterations.Count} iterations, middle ones omitted (all in --json and the " +
            $"manifest)");
        context.Out.Write(em);
        Console.Out.WriteLine($"model {m.Name}: {m.DistinctPairs:N0} distinct pairs over d = 1..{m.Distances}, {m.Merges} flush(es) of the count " +
            $"table into {m.Store}, "
            + $"built in {m.BuildSeconds:0.00} s ({string.Join(", ", m.StageSeconds.Select(kv => $"{kv.Key} {kv.Value:0.00} s"))})");
        Console.Out.WriteLine($"perplexity (document scope, OOV included): valid {m.ValidPerplexity:0.00}, test {m.TestPerplexity:0.00} (excluding " +
            $"OOV {m.TestPerplexityExclOov:0.00})");
        Console.Out.WriteLine($"-> {result.Directory} ({m.BytesOnDisk / 1048576.0:0.0} MB on disk)");
    }
}
