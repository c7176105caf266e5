using LmCompare.Cli.Options;
using System.CommandLine;
using LmCompare.Core;
using LmCompare.Counting.Pairs;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc pairs attach --name M --store garnet://...</c>: a local folder for a model finalized in a cluster; it scores from the
/// cluster.</summary>
public static class PairsAttachCommand
{
    private static readonly Option<string> NameOption = new("--name") { Description = "The model's name in the cluster (and of the local folder)",
        Required = true };
    private static readonly Option<string?> StoreOption = CountingBackendOptions.Store(required: true);
    private static readonly Option<int> TimeoutOption = CountingBackendOptions.Timeout();
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Replace an existing local model of that name" };

    public static Command Create()
    {
        var command = new Command("attach",
            "Use a pair model finalized in a cluster from this machine (needs the same ingested corpus); it reads its counts from the " +
            "cluster when loaded")
            { NameOption, StoreOption, TimeoutOption, ForceOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            string name = parse.GetValue(NameOption)!;
            var shared = CountingBackendOptions.Backend(parse, StoreOption, TimeoutOption, name)!;
            var manifest = SharedPairModel.Attach(context.Workspace, name, shared,
                parse.GetValue(ForceOption) ? ExistingModel.Replace : ExistingModel.Refuse);
            if (context.Json) context.WriteJson(manifest);
            else Console.Out.WriteLine($"model {name}: attached to {manifest.Store} ({manifest.DistinctPairs:N0} distinct pairs, corpus " +
                $"{manifest.Corpus}); "
                + $"it loads from the cluster: lmc pairs pull {name} makes it local");
            return ExitCodes.Success;
        }));
        return command;
    }
}
