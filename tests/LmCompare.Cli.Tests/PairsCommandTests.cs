using System.Diagnostics;
using System.Text.Json;
using LmCompare.Tests;

namespace LmCompare.Cli.Tests;

[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
[Collection(GarnetCluster.Collection)]
public class PairsCommandTests
{
    /// <summary>A corpus of seeded random text (~60k training tokens, 5,000 word types) in a fresh home.</summary>
    internal static string RandomCorpus(TempDirectory temp)
    {
        var random = new Random(3);
        for (int d = 0; d < 20; d++)
            temp.Write($"text/doc{d:00}.txt", string.Join('\n', Enumerable.Range(0, 300).Select(_ =>
                string.Join(' ', Enumerable.Range(0, random.Next(3, 15)).Select(_ => $"w{(int)(5000 * Math.Pow(random.NextDouble(), 2))}")))));
        string home = temp.Combine("home");
        var run = LmcProcess.Run(temp.Path, "corpus", "ingest", temp.Combine("text"), "--name", "r", "--tokenizer", "whitespace", "--home", home,
            "--quiet");
        Assert.Equal(0, run.ExitCode);
        return home;
    }

    internal static string[] BuildArgs(string home, string name, params string[] extra) =>
        ["pairs", "build", "--corpus", "r", "--name", name, "--distances", "4", "--memory", "1MB", "--home", home, .. extra];

    internal static string DumpHash(string home, string name)
    {
        var run = LmcProcess.Run(null, "pairs", "dump", name, "--hash", "--json", "--home", home);
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.GetProperty("sha256").GetString()!;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Build_KilledAtAnyPointThenResumed_CountsIdenticalToUninterrupted()
    {
        using var temp = new TempDirectory();
        string home = RandomCorpus(temp);
        Assert.Equal(0, LmcProcess.Run(null, BuildArgs(home, "reference", "--quiet")).ExitCode);
        string expected = DumpHash(home, "reference");
        string manifest = File.ReadAllText(Path.Combine(home, "models", "reference", "manifest.json"));

        // Kill points: while merging into the store, inside a checkpoint, between checkpoints, after counting.
        foreach (var (stage, occurrence, delayMs) in new[] { (": merge", 2, 0), (": checkpoint", 1, 0), (": checkpoint", 1, 30),
            (": checkpoint", 3, 5), (": derive", 1, 0), (": fit", 1, 0) })
        {
            string name = $"killed-{stage[2..]}-{occurrence}-{delayMs}";
            bool killed = LmcProcess.KillAfter(BuildArgs(home, name), line => line.Contains(stage), occurrence, TimeSpan.FromMilliseconds(delayMs));
            var resumed = LmcProcess.Run(null, BuildArgs(home, name, "--resume", "--json"));

            Assert.True(killed, "the build finished before it could be killed");
            Assert.True(resumed.ExitCode == 0, $"{name}: resume exited {resumed.ExitCode}: {resumed.Stderr}");
            Assert.Equal(expected, DumpHash(home, name));
            using var a = JsonDocument.Parse(manifest);
            using var b = JsonDocument.Parse(resumed.Stdout);
            foreach (string field in new[] { "distinctPairs", "tablesXxHash64", "testPerplexity", "validPerplexity" })
                Assert.Equal(a.RootElement.GetProperty(field).ToString(), b.RootElement.GetProperty(field).ToString());
        }
    }


    [Fact]
    [Trait("Category", "Slow")]
    public void Build_IntoTheCluster_KilledDuringMergesThenResumed_IdenticalToTheEmbeddedBuild()
    {
        using var temp = new TempDirectory();
        string home = RandomCorpus(temp);
        Assert.Equal(0, LmcProcess.Run(null, BuildArgs(home, "reference", "--quiet")).ExitCode);
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(home, "models", "reference", "manifest.json")));
        string store = GarnetCluster.Store;
        foreach (var (occurrence, delayMs) in new[] { (2, 0), (3, 15), (4, 40) })
        {
            string name = $"cluster-{Guid.NewGuid():N}"[..20];
            bool killed = LmcProcess.KillAfter(BuildArgs(home, name, "--store", store), line => line.Contains(": merge"), occurrence,
                TimeSpan.FromMilliseconds(delayMs));
            var resumed = LmcProcess.Run(null, BuildArgs(home, name, "--store", store, "--resume", "--json"));

            Assert.True(killed, "the build finished before it could be killed");
            Assert.True(resumed.ExitCode == 0, $"{name}: resume exited {resumed.ExitCode}: {resumed.Stderr}");
            using var b = JsonDocument.Parse(resumed.Stdout);
            foreach (string field in new[] { "distinctPairs", "tablesXxHash64", "testPerplexity" })
                Assert.Equal(reference.RootElement.GetProperty(field).ToString(), b.RootElement.GetProperty(field).ToString());
        }
    }

    [Fact]
    public void Build_SecondProcessOnTheSameFolder_GetsALockError()
    {
        using var temp = new TempDirectory();
        string home = RandomCorpus(temp);
        string folder = Path.Combine(home, "models", "m");
        Directory.CreateDirectory(folder);
        // Another process holds the folder's lock (as a running build does) for the whole run of the second one.
        using (new FileStream(Path.Combine(folder, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var second = LmcProcess.Run(null, BuildArgs(home, "m", "--resume"));

            Assert.Equal(2, second.ExitCode);
            Assert.Contains("locked by another build", second.Stderr);
        }
        Assert.False(File.Exists(Path.Combine(folder, "manifest.json")));
    }

    [Fact]
    public void BuildShowTop_TinyCorpus_Work()
    {
        using var temp = new TempDirectory();
        temp.Write("t/a.txt", "the cat sat on the mat\nthe dog sat on the log\n");
        temp.Write("t/b.txt", "the cat ran\n");
        temp.Write("t/c.txt", "the dog ran\n");
        string home = temp.Combine("home");
        Assert.Equal(0, LmcProcess.Run(null, "corpus", "ingest", temp.Combine("t"), "--name", "t", "--split", "0.4,0.3,0.3", "--home",
            home).ExitCode);

        var build = LmcProcess.Run(null, "pairs", "build", "--corpus", "t", "--name", "p", "--distances", "2", "--home", home);
        var show = LmcProcess.Run(null, "pairs", "show", "p", "--home", home);
        var top = LmcProcess.Run(null, "pairs", "top", "p", "the", "--distance", "1", "--json", "--home", home);

        Assert.Equal(0, build.ExitCode);
        Assert.Contains("EM iteration", build.Stdout);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("distinct pairs", show.Stdout);
        Assert.Equal(0, top.ExitCode);
        using var json = JsonDocument.Parse(top.Stdout);
        var successors = json.RootElement.GetProperty("distances")[0].GetProperty("successors").EnumerateArray().Select(s
            => s.GetProperty("word").GetString()).ToList();
        Assert.NotEmpty(successors);
    }

    [Theory]
    [InlineData(2, "corpus 'nope' not found", "--corpus", "nope")]
    [InlineData(1, "--distances must be in 1..64", "--corpus", "r", "--distances", "65")]
    [InlineData(1, "--top-k must be at least 1", "--corpus", "r", "--top-k", "0")]
    [InlineData(1, "--memory: 'lots' is not a size", "--corpus", "r", "--memory", "lots")]
    [InlineData(1, "--resume and --force", "--corpus", "r", "--resume", "--force")]
    public void Build_BadInput_OneLineAndExitCode(int exitCode, string expected, params string[] args)
    {
        using var temp = new TempDirectory();
        string home = temp.Combine("home");
        temp.Write("t/a.txt", "a b c\nb c d\n");
        LmcProcess.Run(null, "corpus", "ingest", temp.Combine("t/a.txt"), "--name", "r", "--home", home, "--quiet");

        var run = LmcProcess.Run(null, ["pairs", "build", "--name", "m", "--home", home, .. args]);

        Assert.Equal(exitCode, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains(expected, line);
        Assert.False(File.Exists(Path.Combine(home, "models", "m", "manifest.json")));
    }

    [Fact]
    public void Build_ExistingModelWithoutForce_Exit1()
    {
        using var temp = new TempDirectory();
        string home = temp.Combine("home");
        temp.Write("t/a.txt", "a b c\nb c d\na b d\n");
        LmcProcess.Run(null, "corpus", "ingest", temp.Combine("t/a.txt"), "--name", "r", "--home", home, "--quiet");
        Assert.Equal(0, LmcProcess.Run(null, "pairs", "build", "--corpus", "r", "--name", "m", "--home", home, "--quiet").ExitCode);

        var run = LmcProcess.Run(null, "pairs", "build", "--corpus", "r", "--name", "m", "--home", home);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("already exists", run.Stderr);
    }
}
