using System.Diagnostics;

namespace LmCompare.Tests;

/// <summary>
/// The test cluster: tests/run.sh starts one (eval/garnet-cluster.sh up) and sets LMC_GARNET; run by hand, the tests
/// read the endpoints the script wrote under LMC_GARNET_HOME (default /tmp/lmc-garnet), or say how to start it.
/// </summary>
public static class GarnetEndpoints
{
    private const string HowToStart = "run 'eval/garnet-cluster.sh up' (tests/run.sh does)";

    public static string Home => Environment.GetEnvironmentVariable("LMC_GARNET_HOME") is { Length: > 0 } h ? h : "/tmp/lmc-garnet";

    public static string Cluster =>
        Environment.GetEnvironmentVariable("LMC_GARNET") is { Length: > 0 } e ? e
        : File.Exists(Path.Combine(Home, "endpoints")) ? File.ReadAllText(Path.Combine(Home, "endpoints")).Trim()
        : throw new InvalidOperationException($"no Garnet cluster: {HowToStart} or set LMC_GARNET=host:port,...");

    /// <summary>The stand-alone node that commits its append-only file only on COMMITAOF (a crash loses every write since).</summary>
    public static string ManualCommitNode =>
        File.Exists(Path.Combine(Home, "manual-endpoint")) ? File.ReadAllText(Path.Combine(Home, "manual-endpoint")).Trim()
        : throw new InvalidOperationException($"no manual-commit Garnet node under {Home}: {HowToStart}");

    /// <summary>eval/garnet-cluster.sh stop-node|start-node|pause-node|resume-node NODE (0..2 or "manual").</summary>
    public static void RunNodeScript(string verb, string node)
    {
        string pidFile = Path.Combine(Home, node == "manual" ? "manual.pid" : $"node{node}.pid");
        if (!File.Exists(pidFile))
            throw new InvalidOperationException($"the test nodes are not under {Home}: the fault tests need the nodes eval/garnet-cluster.sh " +
                $"started (LMC_GARNET_HOME)");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(RepositoryPaths.Root, "eval", "garnet-cluster.sh"), verb, node }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"garnet-cluster.sh {verb} {node}: {errors}");
    }
}
