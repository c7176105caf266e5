using LmCompare.Counting.Backends.Garnet;
using LmCompare.Tests;

namespace LmCompare.Cli.Tests;

/// <summary>The test cluster eval/garnet-cluster.sh started (tests/run.sh does): its endpoints, and its nodes to stop and start.</summary>
public static class GarnetCluster
{
    /// <summary>Tests that use the cluster run one at a time: a fault test's crashed node would slow the others down.</summary>
    public const string Collection = "garnet cluster";

    private static string Home => GarnetEndpoints.Home;

    public static string Endpoints => GarnetEndpoints.Cluster;

    public static string Store => "garnet://" + Endpoints;

    /// <summary>eval/garnet-cluster.sh stop-node|start-node|pause-node|resume-node I.</summary>
    public static void Node(string verb, int node) => GarnetEndpoints.RunNodeScript(verb, node.ToString());

    /// <summary>Every node running and answering again (after a test that failed half-way).</summary>
    public static void Heal()
    {
        for (int node = 0; node < 3; node++)
        {
            try { Node("resume-node", node); } catch (InvalidOperationException) { }
            using var probe = new System.Net.Sockets.TcpClient();
            bool up;
            try { probe.Connect("127.0.0.1", PortOf(node)); up = true; } catch (System.Net.Sockets.SocketException) { up = false; }
            if (!up) Node("start-node", node);
        }
    }

    private static int PortOf(int node) => int.Parse(Endpoints.Split(',')[node].Split(':')[1]);

    /// <summary>Removes a test model's key space from the cluster.</summary>
    public static void Drop(string model)
    {
        using var store = GarnetCountStore.Connect(new GarnetStoreSettings(Endpoints, model));
        store.Drop();
    }
}
