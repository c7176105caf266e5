using System.CommandLine;
using LmCompare.Core;
using LmCompare.Counting;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Stores;
using LmCompare.Cli.Options;
using LmCompare.Cli.Output;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc ngram build --corpus NAME --name MODEL --order N</c>: interpolated modified Kneser-Ney as lmplz computes it.</summary>
public static class NGramBuildCommand
{
    private static readonly Option<string> CorpusOption = new("--corpus") { Description = "An ingested corpus", Required = true };
    private static readonly Option<string> NameOption = new("--name") { Description = "Model name (folder under <home>/models)", Required = true };
    private static readonly Option<int> OrderOption = new("--order") { Description = "Highest order, 1..8", DefaultValueFactory = _ => 5 };
    private static readonly Option<string> MemoryOption = new("--memory") { Description = "Memory budget: beyond it counts and estimate " +
        "stream through sorted files on disk (external sorts), like lmplz -S", DefaultValueFactory = _ => "1GB" };
    private static readonly Option<bool> FallbackOption = new("--discount-fallback") { Description = "Use discounts 0.5, 1, 1.5 where the data " +
        "gives none (KenLM's --discount_fallback)" };
    private static readonly Option<bool> ResumeOption = new("--resume") { Description = "Continue an unfinished build: a streaming build " +
        "from its last counted chunk or finished stage" };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Rebuild an existing model from scratch" };
    private static readonly Option<string> FormatOption = NGramFormatOption.Create();
    private static readonly Option<string?> StoreOption = CountingBackendOptions.Store();
    private static readonly Option<string?> ShardOption = CountingBackendOptions.Shard("lmc ngram finalize");
    private static readonly Option<int> TimeoutOption = CountingBackendOptions.Timeout();

    public static Command Create()
    {
        var command = new Command("build", "Build an interpolated modified Kneser-Ney n-gram model (KenLM lmplz parity)")
        {
            CorpusOption, NameOption, OrderOption, MemoryOption, FormatOption, FallbackOption, ResumeOption, ForceOption, StoreOption,
                ShardOption, TimeoutOption,
        };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            if (parse.GetValue(ResumeOption) && parse.GetValue(ForceOption)) throw new UsageException("--resume and --force exclude each other");
            string corpus = parse.GetValue(CorpusOption)!, name = parse.GetValue(NameOption)!;
            var settings = new KneserNeySettings(parse.GetValue(OrderOption), parse.GetValue(FallbackOption),
                MemorySize.Parse(parse.GetValue(MemoryOption)!), Backend: CountingBackendOptions.Backend(parse, StoreOption, TimeoutOption, name),
                Format: KneserNeySettings.ParseFormat(parse.GetValue(FormatOption)));
            var existing = parse.GetValue(ForceOption) ? ExistingModel.Replace : parse.GetValue(ResumeOption) ? ExistingModel.Resume
                : ExistingModel.Refuse;
            if (parse.GetValue(ShardOption) is { } shardText)
            {
                var shard = ShardSpec.Parse(shardText);
                if (settings.Backend is null) throw new UsageException("--shard needs --store garnet://...: workers meet in the cluster");
                if (parse.GetValue(ForceOption)) throw new UsageException("--shard does not take --force (a shard's counts cannot be taken out of " +
                    "the model; build under another name)");
                long counted = context.WithProgress("ngram shard", progress =>
                    new NGramModelBuilder(context.Workspace, progress).CountShard(corpus, name, settings, shard, parse.GetValue(ResumeOption)));
                Console.Out.WriteLine($"shard {shard.Index}/{shard.Count} of {name}: {counted:N0} tokens counted into the cluster; run lmc ngram " +
                    $"finalize once all {shard.Count} shards are in");
                return ExitCodes.Success;
            }
            var result = context.WithProgress("ngram build", progress =>
                new NGramModelBuilder(context.Workspace, progress).Build(corpus, name, settings, existing));
            if (context.Json) context.WriteJson(result.Manifest);
            else NGramBuildSummary.Print(context, result);
            return ExitCodes.Success;
        }));
        return command;
    }
}
