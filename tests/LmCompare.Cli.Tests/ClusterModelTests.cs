using System.Text.Json;
using LmCompare.Tests;

namespace LmCompare.Cli.Tests;

/// <summary>A pair model finalized in the test cluster, used from another workspace: attached (scores from the cluster), then pulled.</summary>
[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
[Collection(GarnetCluster.Collection)]
public class ClusterModelTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void AttachEvalGeneratePull_OtherWorkspace_SameNumbersAsTheFinalizedModel()
    {
        using var temp = new TempDirectory();
        string home = PairsCommandTests.RandomCorpus(temp), other = temp.Combine("other");
        string model = $"cm-{Guid.NewGuid():N}"[..14], store = GarnetCluster.Store;
        CopyDirectory(Path.Combine(home, "corpora"), Path.Combine(other, "corpora")); // the same ingested corpus on the other machine
        try
        {
            Assert.Equal(0, LmcProcess.Run(null, PairsCommandTests.BuildArgs(home, "embedded", "--quiet")).ExitCode);
            Assert.Equal(0, LmcProcess.Run(null, PairsCommandTests.BuildArgs(home, model, "--store", store, "--quiet")).ExitCode);
            var clash = LmcProcess.Run(null, PairsCommandTests.BuildArgs(other, model, "--store", store,
                "--quiet")); // the name is taken in the cluster
            Assert.Equal(2, clash.ExitCode);
            Assert.Single(clash.StderrLines);
            Assert.Contains("already has counts in the cluster", clash.Stderr);
            var missing = LmcProcess.Run(null, "pairs", "attach", "--name", model + "x", "--store", store, "--home", other);
            Assert.Equal(2, missing.ExitCode);
            Assert.Contains("no finalized pair model", missing.Stderr);

            var attach = LmcProcess.Run(null, "pairs", "attach", "--name", model, "--store", store, "--home", other, "--json");
            Assert.True(attach.ExitCode == 0, attach.Stderr);
            Assert.False(File.Exists(Path.Combine(other, "models", model, "pairs.tables"))); // it reads the cluster
            Assert.Equal(Perplexity(home, model), Perplexity(other, model));
            Assert.Equal(Generated(home, model), Generated(other, model));
            Assert.Equal(PairsCommandTests.DumpHash(home, "embedded"), PairsCommandTests.DumpHash(other, model)); // dump reads the cluster
            var local = LmcProcess.Run(null, "pairs", "pull", "embedded", "--home", home);
            Assert.Equal(1, local.ExitCode);
            Assert.Contains("already local", local.Stderr);

            var pull = LmcProcess.Run(null, "pairs", "pull", model, "--to", "faster", "--home", other, "--json");
            Assert.True(pull.ExitCode == 0, pull.Stderr);
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(other, "models", model, "manifest.json")));
            Assert.Equal("faster", manifest.RootElement.GetProperty("store").GetString());
            Assert.Equal(store, manifest.RootElement.GetProperty("pulledFrom").GetString());
            Assert.Equal(PairsCommandTests.DumpHash(home, "embedded"),
                PairsCommandTests.DumpHash(other, model)); // the same counts as an embedded build
            Assert.Equal(Perplexity(home, model), Perplexity(other, model));
        }
        finally { GarnetCluster.Drop(model); }
    }

    private static string Perplexity(string home, string model)
    {
        var run = LmcProcess.Run(null, "eval", "--corpus", "r", "--models", model, "--json", "--home", home, "--quiet");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.GetProperty("models")[0].GetProperty("perplexity").ToString();
    }

    private static string Generated(string home, string model)
    {
        var run = LmcProcess.Run(null, "generate", "--model", model, "--prompt", "w1 w2", "--seed", "3", "--max-tokens", "12", "--json", "--home",
            home, "--quiet");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        return string.Join('|', json.RootElement.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("text").GetString()));
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string directory in Directory.GetDirectories(from, "*",
            SearchOption.AllDirectories)) Directory.CreateDirectory(directory.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, file.Replace(from, to));
    }
}
