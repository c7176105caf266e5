namespace LmCompare.Tests;

/// <summary>
/// The test cluster: tests/run.sh starts one (eval/garnet-cluster.sh up) and sets LMC_GARNET; run by hand, the tests
/// read the endpoints the script wrote under LMC_GARNET_HOME (default /tmp/lmc-garnet), or say how to start it.
/// </summary>
public static class GarnetEndpoints
{
    public static string Home => Environment.GetEnvironmentVariable("LMC_GARNET_HOME") is { Length: > 0 } h ? h : "/tmp/lmc-garnet";

    public static string Cluster =>
        Environment.GetEnvironmentVariable("LMC_GARNET") is { Length: > 0 } e ? e
        : File.Exists(Path.Combine(Home, "endpoints")) ? File.ReadAllText(Path.Combine(Home, "endpoints")).Trim()
        : throw new InvalidOperationException("no Garnet cluster: run 'eval/garnet-cluster.sh up' (tests/run.sh does) or set LMC_GARNET=host:port,...");
}
