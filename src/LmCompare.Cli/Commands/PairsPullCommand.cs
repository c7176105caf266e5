using System.CommandLine;
using LmCompare.Core;
using LmCompare.Cli.Options;
using LmCompare.Counting.Pairs;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc pairs pull MODEL [--to faster]</c>: copies an attached cluster model's counts and tables into its local folder.</summary>
public static class PairsPullCommand
{
    private static readonly Argument<string> ModelArgument = new("MODEL") { Description = "An attached model (lmc pairs attach)" };
    private static readonly Option<string> ToOption = new("--to") { Description = "Where the counts go: faster (the model folder's embedded store)",
        DefaultValueFactory = _ => "faster" };

    public static Command Create()
    {
        var command = new Command("pull",
            "Copy a cluster model's counts into a local FASTER store and compile its tables, for fast loading without the cluster")
            { ModelArgument, ToOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            if (parse.GetValue(ToOption) != "faster") throw new UsageException($"--to {parse.GetValue(ToOption)}: the one local store is faster");
            string name = parse.GetValue(ModelArgument)!;
            var manifest = context.WithProgress("pairs pull",
                progress => SharedPairModel.Pull(context.Workspace, name, CountingBackendOptions.Locations, progress));
            if (context.Json) context.WriteJson(manifest);
            else Console.Out.WriteLine($"model {name}: {manifest.DistinctPairs:N0} counts pulled from {manifest.PulledFrom} into its FASTER store; "
                + $"tables {manifest.TablesXxHash64} as finalized ({manifest.BytesOnDisk / 1048576.0:0.0} MB on disk)");
            return ExitCodes.Success;
        }));
        return command;
    }
}
