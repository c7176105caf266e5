using System.CommandLine;
using LmCompare.Core;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.Garnet;

namespace LmCompare.Cli.Options;

/// <summary>
/// The one place the CLI turns <c>--store</c>, <c>--timeout</c> and <c>--shard</c> into a counting backend (a Garnet cluster
/// when <c>--store</c> names one), and a model's recorded location back into the
/// backend holding its counts. Without <c>--store</c> the builder picks its own default (FASTER for pairs; memory, or
/// sorted runs beyond --memory, for n-grams). Commands pass the result on; no other CLI code knows which backend it is.
/// </summary>
public static class CountingBackendOptions
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
        Description = $"i/n: count only worker i's n-th of the training tokens into the cluster (with --resume: continue a killed worker's shard; " +
            $"then: {finalize})",
    };

    /// <summary>The backend <c>--store</c> names, or null (the builder's own default).</summary>
    public static CountingBackendFactory? Backend(ParseResult parse, Option<string?> store, Option<int> timeout, string model) =>
        Cluster(parse, store, timeout, model) is { } cluster ? GarnetCountingBackend.Factory(cluster) : null;

    /// <summary>The cluster <c>--store</c> names, or null.</summary>
    private static GarnetStoreSettings? Cluster(ParseResult parse, Option<string?> store, Option<int> timeout, string model)
    {
        if (parse.GetValue(store) is not { } uri) return null;
        int seconds = parse.GetValue(timeout);
        if (seconds < 1) throw new UsageException($"--timeout must be at least 1 second (got {seconds})");
        return GarnetStoreSettings.Parse(uri, model) with { RetrySeconds = seconds };
    }

    /// <summary>Where a finished model's counts live when its manifest names a location outside its folder.</summary>
    public static readonly CountLocationResolver Locations = GarnetCountingBackend.ForLocation;
}
