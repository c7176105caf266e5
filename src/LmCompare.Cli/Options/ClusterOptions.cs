using System.CommandLine;
using LmCompare.Core;
using LmCompare.Counting.Stores;

namespace LmCompare.Cli.Options;

/// <summary>The options every command that counts into, or reads from, a Garnet cluster shares.</summary>
public static class ClusterOptions
{
    public static Option<string?> Store(bool required = false) => new("--store")
    {
        Description = "A Garnet cluster: garnet://[user:password@]host:port[,host:port...] (password also from LMC_GARNET_PASSWORD; never printed)",
        Required = required,
    };

    public static Option<int> Timeout() => new("--timeout")
    {
        Description = "Seconds to keep retrying, with backoff, requests a cluster node does not answer (down, restarting) before giving up",
        DefaultValueFactory = _ => 120,
    };

    public static Option<string?> Shard(string finalize) => new("--shard")
    {
        Description = $"i/n: count only worker i's n-th of the training tokens into the cluster (with --resume: continue a killed worker's shard; then: {finalize})",
    };

    public static GarnetStoreSettings? Settings(ParseResult parse, Option<string?> store, Option<int> timeout, string model)
    {
        if (parse.GetValue(store) is not { } uri) return null;
        int seconds = parse.GetValue(timeout);
        if (seconds < 1) throw new UsageException($"--timeout must be at least 1 second (got {seconds})");
        return GarnetStoreSettings.Parse(uri, model) with { RetrySeconds = seconds };
    }
}
