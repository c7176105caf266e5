using System.Text.Json;
using LmCompare.Tests;

namespace LmCompare.Cli.Tests;

public class CorpusCommandTests
{
    private static void WriteFixture(TempDirectory temp)
    {
        temp.Write("src/train.txt", "the cat sat .\n\nthe dog ran .\n");
        temp.Write("src/valid.txt", "the cat ran .\n");
        temp.Write("src/test.txt.gz", "a bird sat .\n");
    }

    private static string[] IngestArgs(TempDirectory temp, params string[] extra) =>
        ["corpus", "ingest", "--name", "tiny", "--tokenizer", "whitespace", "--home", temp.Combine("home"), "--train", temp.Combine("src/train.txt"),
         "--valid", temp.Combine("src/valid.txt"), "--test", temp.Combine("src/test.txt.gz"), .. extra];

    [Fact]
    public void IngestThenStats_Json_GivesHandComputedCounts()
    {
        using var temp = new TempDirectory();
        WriteFixture(temp);

        var ingest = LmcProcess.Run(temp.Path, IngestArgs(temp, "--json"));
        var stats = LmcProcess.Run(temp.Path, "corpus", "stats", "tiny", "--json", "--home", temp.Combine("home"));

        Assert.Equal(0, ingest.ExitCode);
        using var ingestJson = JsonDocument.Parse(ingest.Stdout);
        Assert.Equal(9, ingestJson.RootElement.GetProperty("vocabularySize").GetInt32());
        Assert.Equal(0, stats.ExitCode);
        using var json = JsonDocument.Parse(stats.Stdout);
        var splits = json.RootElement.GetProperty("splits").EnumerateArray().ToList();
        Assert.Equal([10L, 5L, 5L], splits.Select(s => s.GetProperty("tokens").GetInt64()));
        Assert.Equal([0L, 0L, 2L], splits.Select(s => s.GetProperty("oov").GetInt64()));
        Assert.Equal([7, 5, 4], splits.Select(s => s.GetProperty("types").GetInt32())); // distinct ids incl. </s> (and <unk> in test)
        Assert.Equal(0.5, splits[2].GetProperty("oovRate").GetDouble());
        Assert.Equal(".", json.RootElement.GetProperty("topWords")[0].GetProperty("word").GetString());
    }

    [Fact]
    public void Synth_FromTinyCorpus_JsonSaysSyntheticAndBadInputIsOneLine()
    {
        using var temp = new TempDirectory();
        WriteFixture(temp);
        Assert.Equal(0, LmcProcess.Run(temp.Path, IngestArgs(temp)).ExitCode);
        string home = temp.Combine("home");

        var synth = LmcProcess.Run(temp.Path, "corpus", "synth", "--like", "tiny", "--name", "syn", "--tokens", "20k", "--held-out-tokens", "2k",
            "--seed", "5", "--json", "--home", home);
        var bad = LmcProcess.Run(temp.Path, "corpus", "synth", "--like", "tiny", "--name", "syn2", "--tokens", "lots", "--home", home);
        var missing = LmcProcess.Run(temp.Path, "corpus", "synth", "--like", "nope", "--name", "syn3", "--tokens", "1k", "--home", home);

        Assert.True(synth.ExitCode == 0, synth.Stderr);
        using var json = JsonDocument.Parse(synth.Stdout);
        Assert.Equal("tiny", json.RootElement.GetProperty("synthetic").GetProperty("like").GetString());
        Assert.InRange(json.RootElement.GetProperty("splits").GetProperty("train").GetProperty("tokens").GetInt64(), 20_000, 20_004);
        Assert.Equal(1, bad.ExitCode); // a usage error
        Assert.Equal(["lmc: error: --tokens: 'lots' is not a token count (e.g. 1000000, 200k, 200M, 1G)"], bad.StderrLines);
        Assert.Equal(2, missing.ExitCode); // bad input: no such corpus
        Assert.Single(missing.StderrLines);
        Assert.False(Directory.Exists(Path.Combine(home, "corpora", "syn2")));
    }

    [Fact]
    public void Ingest_MobyDick_CountsMatchTheShippedChapters()
    {
        using var temp = new TempDirectory();

        var run = LmcProcess.Run(temp.Path, "corpus", "ingest", Path.Combine(RepositoryPaths.Corpora, "moby-dick"), "--name", "moby", "--json",
            "--home", temp.Path);
        var list = LmcProcess.Run(temp.Path, "corpus", "list", "--json", "--home", temp.Path);

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var splits = json.RootElement.GetProperty("splits");
        Assert.Equal(138, splits.EnumerateObject().Sum(s => s.Value.GetProperty("documents").GetInt32()));
        long lines = splits.EnumerateObject().Sum(s => s.Value.GetProperty("lines").GetInt64());
        long tokens = splits.EnumerateObject().Sum(s => s.Value.GetProperty("tokens").GetInt64());
        Assert.Equal(tokens, splits.EnumerateObject().Sum(s => s.Value.GetProperty("words").GetInt64()) + lines);
        Assert.Equal(lines, CountNonBlankLines(Path.Combine(RepositoryPaths.Corpora, "moby-dick")));
        Assert.Contains("\"moby\"", list.Stdout);
    }

    private static long CountNonBlankLines(string directory) =>
        Directory.GetFiles(directory, "*.gz").Sum(f =>
        {
            using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(f),
                System.IO.Compression.CompressionMode.Decompress));
            long n = 0;
            while (reader.ReadLine() is { } line) if (!string.IsNullOrWhiteSpace(line.Replace("\uFEFF", ""))) n++;
            return n;
        });

    [Fact]
    public void Ingest_InvalidUtf8_WarnsAndReportsCount()
    {
        using var temp = new TempDirectory();
        WriteFixture(temp);
        temp.WriteBytes("src/train.txt", [(byte)'a', 0xff, (byte)' ', (byte)'b', (byte)'\n']);

        var run = LmcProcess.Run(temp.Path, IngestArgs(temp, "--json"));

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(1, json.RootElement.GetProperty("invalidUtf8").GetInt32());
        Assert.Contains(run.StderrLines, l => l.Contains("train.txt: 1 invalid UTF-8 sequence(s) replaced"));
    }

    [Fact]
    public void Version_PrintsVersion()
    {
        var run = LmcProcess.Run(null, "--version");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Stdout);
    }

    [Fact]
    public void SuggestDirective_CompletesSubcommands()
    {
        var run = LmcProcess.Run(null, "[suggest:7]", "corpus ");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["ingest", "list", "stats", "synth"], run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('-')
            && !l.StartsWith('/')));
    }

    [Fact]
    public void Json_StdoutHoldsOnlyTheResultObject()
    {
        using var temp = new TempDirectory();
        WriteFixture(temp);

        var run = LmcProcess.Run(temp.Path, IngestArgs(temp, "--json"));

        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        Assert.Contains(run.StderrLines, l => l.StartsWith("ingest: "));
    }
}

[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class TrainCommandTests
{
    [Fact]
    public void Train_TinyCorpus_WritesManifestWithCurveAndTestPerplexity()
    {
        using var temp = new TempDirectory();
        var random = new Random(1);
        for (int d = 0; d < 6; d++)
            temp.Write($"t/d{d}.txt",
                string.Join('\n', Enumerable.Range(0, 60).Select(_ => string.Join(' ', Enumerable.Range(0, 8).Select(_ => $"w{random.Next(20)}")))));
        string home = temp.Combine("home");
        Assert.Equal(0, LmcProcess.Run(null, "corpus", "ingest", temp.Combine("t"), "--name", "c", "--split", "0.66,0.17,0.17", "--home", home,
            "--quiet").ExitCode);

        var run = LmcProcess.Run(null, "train", "--corpus", "c", "--name", "g", "--layers", "1", "--d-model", "16", "--heads", "2", "--context", "8",
            "--batch", "4", "--steps", "10", "--eval-every", "5", "--threads", "1", "--json", "--home", home);
        var bad = LmcProcess.Run(null, "train", "--corpus", "c", "--name", "g2", "--d-model", "30", "--heads", "4", "--steps", "1", "--home", home);

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        Assert.Equal(10, json.RootElement.GetProperty("steps").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("curve").GetArrayLength());
        Assert.True(json.RootElement.GetProperty("testPerplexity").GetDouble() > 1);
        Assert.Contains(run.StderrLines, l => l.StartsWith("train: step 10/10"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--heads must divide --d-model", bad.Stderr);
    }
}
