using LmCompare.Tests;

namespace LmCompare.Cli.Tests;

/// <summary>Every bad input: one line on stderr naming the problem, a documented exit code, no stack trace, no corpus left behind.</summary>
public class BadInputTests
{
    private static LmcRun Ingest(TempDirectory temp, params string[] args) =>
        LmcProcess.Run(temp.Path, ["corpus", "ingest", "--home", temp.Combine("home"), "--tokenizer", "whitespace", .. args]);

    private static void AssertCleanFailure(TempDirectory temp, LmcRun run, int exitCode, string expected, bool corpusMayExist = false)
    {
        Assert.Equal(exitCode, run.ExitCode);
        var line = Assert.Single(run.StderrLines, l => !l.StartsWith("ingest: "));
        Assert.StartsWith("lmc: error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.Equal("", run.Stdout);
        string corpora = temp.Combine("home", "corpora");
        if (Directory.Exists(corpora) && !corpusMayExist)
            Assert.DoesNotContain(Directory.GetDirectories(corpora), d => File.Exists(Path.Combine(d, "manifest.json")) && d.EndsWith("bad"));
        if (Directory.Exists(corpora)) Assert.DoesNotContain(Directory.GetDirectories(corpora), d => Path.GetFileName(d).StartsWith(".bad"));
    }

    private static string Lines(int n) => string.Join('\n', Enumerable.Range(0, n).Select(i => $"w{i % 7} x{i % 3}"));

    [Fact]
    public void MissingPath_Exit2()
    {
        using var temp = new TempDirectory();
        AssertCleanFailure(temp, Ingest(temp, temp.Combine("nope.txt"), "--name", "bad"), 2, "nope.txt: no such file or directory");
    }

    [Fact]
    public void EmptyFile_Exit2()
    {
        using var temp = new TempDirectory();
        temp.Write("d/a.txt", Lines(50));
        temp.Write("d/b.txt", Lines(50));
        temp.Write("d/c.txt", Lines(50));
        temp.Write("d/empty.txt", "");
        AssertCleanFailure(temp, Ingest(temp, temp.Combine("d"), "--name", "bad"), 2, "empty.txt: empty document");
    }

    [Fact]
    public void EmptyCorpusAfterFiltering_Exit2()
    {
        using var temp = new TempDirectory();
        temp.Write("one.txt", Lines(40));
        AssertCleanFailure(temp, Ingest(temp, temp.Combine("one.txt"), "--name", "bad", "--min-count", "1000"), 2, "vocabulary would be empty");
    }

    [Fact]
    public void BinaryFile_Exit2()
    {
        using var temp = new TempDirectory();
        temp.WriteBytes("bin.txt", [0x7f, (byte)'E', (byte)'L', (byte)'F', 0, 0, 1]);
        AssertCleanFailure(temp, Ingest(temp, temp.Combine("bin.txt"), "--name", "bad"), 2, "bin.txt: looks binary");
    }

    [Fact]
    public void TruncatedGzip_Exit2()
    {
        using var temp = new TempDirectory();
        string path = temp.Write("t.txt.gz", Lines(4000));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        AssertCleanFailure(temp, Ingest(temp, path, "--name", "bad"), 2, "t.txt.gz: truncated or corrupt gzip");
    }

    [Fact]
    public void SplitNotSummingToOne_Exit1()
    {
        using var temp = new TempDirectory();
        temp.Write("one.txt", Lines(40));
        AssertCleanFailure(temp, Ingest(temp, temp.Combine("one.txt"), "--name", "bad", "--split", "0.8,0.1,0.2"), 1, "must sum to 1");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ExistingCorpusWithoutForce_Exit1_AndKeepsIt()
    {
        using var temp = new TempDirectory();
        temp.Write("one.txt", Lines(40));
        Assert.Equal(0, Ingest(temp, temp.Combine("one.txt"), "--name", "bad").ExitCode);

        AssertCleanFailure(temp, Ingest(temp, temp.Combine("one.txt"), "--name", "bad"), 1, "already exists", corpusMayExist: true);
        Assert.True(File.Exists(temp.Combine("home", "corpora", "bad", "manifest.json")));
    }

    [Fact]
    public void HomeNotWritable_Exit2()
    {
        using var temp = new TempDirectory();
        temp.Write("one.txt", Lines(40));
        var run = LmcProcess.Run(temp.Path, "corpus", "ingest", temp.Combine("one.txt"), "--name", "bad", "--home", "/proc/lmc-home");
        AssertCleanFailure(temp, run, 2, "/proc/lmc-home/corpora: not writable");
    }

    [Fact]
    public void InvalidUtf8_IsNotAnError()
    {
        using var temp = new TempDirectory();
        temp.WriteBytes("one.txt", [.. System.Text.Encoding.UTF8.GetBytes(Lines(40)), 0xfe]);
        Assert.Equal(0, Ingest(temp, temp.Combine("one.txt"), "--name", "ok").ExitCode);
    }

    [Theory]
    [InlineData(1, "Option '--name' is required", "corpus", "ingest", "x.txt")]
    [InlineData(1, "invalid name", "corpus", "ingest", "x.txt", "--name", "../evil")]
    [InlineData(1, "unknown tokenizer 'bpe'", "corpus", "ingest", "x.txt", "--name", "bad", "--tokenizer", "bpe")]
    [InlineData(1, "Unrecognized command or argument '--frobnicate'", "corpus", "list", "--frobnicate")]
    [InlineData(2, "corpus 'nope' not found", "corpus", "stats", "nope")]
    public void UsageAndLookupErrors_OneLineAndExitCode(int exitCode, string expected, params string[] args)
    {
        using var temp = new TempDirectory();
        temp.Write("x.txt", Lines(40));
        AssertCleanFailure(temp, LmcProcess.Run(temp.Path, [.. args, "--home", temp.Combine("home")]), exitCode, expected);
    }

    [Fact]
    public void IncompleteCorpusFolder_IsNotListedOrOpened()
    {
        using var temp = new TempDirectory();
        temp.Write("home/corpora/half/train.bin", "xxxx");

        var list = LmcProcess.Run(temp.Path, "corpus", "list", "--json", "--home", temp.Combine("home"));
        var stats = LmcProcess.Run(temp.Path, "corpus", "stats", "half", "--home", temp.Combine("home"));

        Assert.Equal("[]", list.Stdout.Trim());
        AssertCleanFailure(temp, stats, 2, "no manifest.json");
    }
}
