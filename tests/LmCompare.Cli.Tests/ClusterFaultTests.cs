using System.Diagnostics;
using System.Text.Json;
using LmCompare.Tests;

namespace LmCompare.Cli.Tests;

/// <summary>
/// Brown's pair-distance and 5-gram counts built by two sharded workers in the test cluster while a worker is killed
/// and resumed and cluster nodes crash, restart and hang: finalize must equal the embedded build exactly, and a node
/// that stays away must end a command with one line after --timeout. Drives the nodes through eval/garnet-cluster.sh,
/// so it needs the cluster that script started (tests/run.sh does).
/// </summary>
[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
[Collection(GarnetCluster.Collection)]
public class ClusterFaultTests
{
    private static readonly string[] PairFields = ["distinctPairs", "tablesXxHash64", "testPerplexity"];
    private static readonly string[] NGramFields = ["nGramCounts", "discounts", "testPerplexity", "validPerplexity"];

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Brown_TwoWorkers_KilledWorker_CrashedAndHungNodes_FinalizeEqualsTheEmbeddedBuild()
    {
        using var temp = new TempDirectory();
        string home = temp.Combine("home"), store = GarnetCluster.Store;
        string brown = Path.Combine(RepositoryPaths.Corpora, "brown");
        Assert.Equal(0, LmcProcess.Run(null, "corpus", "ingest", "--name", "brown2", "--tokenizer", "whitespace", "--min-count", "2",
            "--train", Path.Combine(brown, "brown.train.txt.gz"), "--valid", Path.Combine(brown, "brown.valid.txt.gz"),
            "--test", Path.Combine(brown, "brown.test.txt.gz"), "--home", home, "--quiet").ExitCode);
        var pairsEmbedded = Json(LmcProcess.Run(null, "pairs", "build", "--corpus", "brown2", "--name", "pe", "--home", home, "--json"));
        var ngramEmbedded = Json(LmcProcess.Run(null, "ngram", "build", "--corpus", "brown2", "--name", "ke", "--home", home, "--json"));
        string pairs = $"fp-{Guid.NewGuid():N}"[..14], ngram = $"fk-{Guid.NewGuid():N}"[..14];
        string[] PairShard(int i, params string[] more) =>
            ["pairs", "build", "--corpus", "brown2", "--name", pairs, "--store", store, "--shard", $"{i}/2", "--memory", "24MB", "--home", home,
                .. more];
        try
        {
            // Pairs: worker 1 runs throughout; worker 0 is killed after its second merge; then node 1 crashes (SIGKILL)
            // and comes back 3 s later from its append-only file; worker 0 resumes.
            using var worker1 = LmcProcess.Start(PairShard(1));
            var worker1Log = worker1.StandardError.ReadToEndAsync();
            Assert.True(LmcProcess.KillAfter(PairShard(0), line => line.Contains(": merge"), 2, TimeSpan.Zero),
                "worker 0 finished before it could be killed");
            GarnetCluster.Node("stop-node", 1);
            Thread.Sleep(3000);
            GarnetCluster.Node("start-node", 1);
            var resumed = LmcProcess.Run(null, PairShard(0, "--resume"));
            Assert.True(resumed.ExitCode == 0, resumed.Stderr);
            bool exited = worker1.WaitForExit(TimeSpan.FromMinutes(3));
            string log = await worker1Log;
            if (Environment.GetEnvironmentVariable("LMC_FAULT_LOG") is { Length: > 0 } keep) File.WriteAllText(keep, log + resumed.Stderr);
            Assert.True(exited && worker1.ExitCode == 0, log);
            var pairsFinal = Json(LmcProcess.Run(null, "pairs", "finalize", "--corpus", "brown2", "--name", pairs, "--store", store, "--home", home,
                "--json"));
            foreach (string field in PairFields) Assert.Equal(pairsEmbedded.GetProperty(field).ToString(), pairsFinal.GetProperty(field).ToString());

            // 5-grams: two workers at once while node 2 hangs (SIGSTOP) for 5 s: requests time out and are retried.
            string[] NGramShard(int i) => ["ngram", "build", "--corpus", "brown2", "--name", ngram, "--store", store, "--shard", $"{i}/2", "--home",
                home];
            using var ngram0 = LmcProcess.Start(NGramShard(0));
            using var ngram1 = LmcProcess.Start(NGramShard(1));
            var logs = new[] { ngram0.StandardError.ReadToEndAsync(), ngram1.StandardError.ReadToEndAsync() };
            Thread.Sleep(1500);
            GarnetCluster.Node("pause-node", 2);
            Thread.Sleep(5000);
            GarnetCluster.Node("resume-node", 2);
            bool exited0 = ngram0.WaitForExit(TimeSpan.FromMinutes(3)), exited1 = ngram1.WaitForExit(TimeSpan.FromMinutes(3));
            var texts = await Task.WhenAll(logs);
            Assert.True(exited0 && ngram0.ExitCode == 0, texts[0]);
            Assert.True(exited1 && ngram1.ExitCode == 0, texts[1]);
            var ngramFinal = Json(LmcProcess.Run(null, "ngram", "finalize", "--corpus", "brown2", "--name", ngram, "--store", store, "--home", home,
                "--json"));
            foreach (string field in NGramFields) Assert.Equal(ngramEmbedded.GetProperty(field).ToString(), ngramFinal.GetProperty(field).ToString());

            // A node that does not come back within --timeout: one line, exit 2, the finished model left as it was.
            GarnetCluster.Node("pause-node", 0);
            var clock = Stopwatch.StartNew();
            var stuck = LmcProcess.Run(null, "ngram", "finalize", "--corpus", "brown2", "--name", ngram, "--store", store, "--home", home, "--force",
                "--timeout", "3");
            GarnetCluster.Node("resume-node", 0);
            Assert.Equal(2, stuck.ExitCode);
            Assert.Single(stuck.StderrLines, line => line.StartsWith("lmc: error:"));
            Assert.Contains("no answer for 3 s (--timeout)", stuck.Stderr);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"gave up after {clock.Elapsed}");
            Assert.True(File.Exists(Path.Combine(home, "models", ngram, "manifest.json")));
        }
        finally
        {
            GarnetCluster.Heal();
            GarnetCluster.Drop(pairs);
            GarnetCluster.Drop(ngram);
        }
    }

    private static JsonElement Json(LmcRun run)
    {
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }
}
