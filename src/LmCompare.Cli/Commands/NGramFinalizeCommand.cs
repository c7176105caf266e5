using System.CommandLine;
using LmCompare.Cli.Options;
using LmCompare.Cli.Output;
using LmCompare.Core;
using LmCompare.Counting.Stores;
using LmCompare.Counting.NGrams;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc ngram finalize --corpus C --name M --store garnet://...</c>: the Kneser-Ney model, once every shard is counted.</summary>
public static class NGramFinalizeCommand
{
    private static readonly Option<string> CorpusOption = new("--corpus") { Description = "The corpus the shards counted", Required = true };
    private static readonly Option<string> NameOption = new("--name") { Description = "The model the shards counted into", Required = true };
    private static readonly Option<string?> StoreOption = CountingBackendOptions.Store(required: true);
    private static readonly Option<int> OrderOption = new("--order") { Description = "N the shards were counted with", DefaultValueFactory = _ => 5 };
    private static readonly Option<string> MemoryOption = new("--memory")
    {
        Description = "Memory budget of the estimate (beyond it: sorted streams on disk)", DefaultValueFactory = _ => "1GB",
    };
    private static readonly Option<bool> FallbackOption = new("--discount-fallback") { Description = "Use discounts 0.5, 1, 1.5 where the data " +
        "gives none (KenLM's --discount_fallback)" };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Replace an existing model folder" };
    private static readonly Option<int> TimeoutOption = CountingBackendOptions.Timeout();
    private static readonly Option<string> FormatOption = NGramFormatOption.Create();

    public static Command Create()
    {
        var command = new Command("finalize",
            "Estimate and store a Kneser-Ney model from shards counted into a cluster (refuses while shards are missing)")
            { CorpusOption, NameOption, StoreOption, OrderOption, MemoryOption, FormatOption, FallbackOption, ForceOption, TimeoutOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            string name = parse.GetValue(NameOption)!;
            var settings = new KneserNeySettings(parse.GetValue(OrderOption), parse.GetValue(FallbackOption),
                MemorySize.Parse(parse.GetValue(MemoryOption)!), Backend: CountingBackendOptions.Backend(parse, StoreOption, TimeoutOption, name),
                Format: KneserNeySettings.ParseFormat(parse.GetValue(FormatOption)));
            var existing = parse.GetValue(ForceOption) ? ExistingModel.Replace : ExistingModel.Refuse;
            var result = context.WithProgress("ngram finalize", progress =>
                new NGramModelBuilder(context.Workspace, progress).Finalize(parse.GetValue(CorpusOption)!, name, settings, existing));
            if (context.Json) context.WriteJson(result.Manifest);
            else NGramBuildSummary.Print(context, result);
            return ExitCodes.Success;
        }));
        return command;
    }
}
