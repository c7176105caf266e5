using System.Text.Json;
using LmCompare.Tests;

namespace LmCompare.Cli.Tests;

public class NGramCommandTests
{
    private static string RandomCorpus(TempDirectory temp)
    {
        var random = new Random(9);
        for (int d = 0; d < 10; d++)
            temp.Write($"text/doc{d:00}.txt", string.Join('\n', Enumerable.Range(0, 300).Select(_ =>
                string.Join(' ', Enumerable.Range(0, random.Next(3, 15)).Select(_ => $"w{(int)(3000 * Math.Pow(random.NextDouble(), 2))}")))));
        string home = temp.Combine("home");
        Assert.Equal(0, LmcProcess.Run(temp.Path, "corpus", "ingest", temp.Combine("text"), "--name", "r", "--tokenizer", "whitespace", "--home",
            home, "--quiet").ExitCode);
        return home;
    }

    private static string[] BuildArgs(string home, string name, params string[] extra) =>
        ["ngram", "build", "--corpus", "r", "--name", name, "--order", "4", "--discount-fallback", "--home", home, .. extra];

    [Fact]
    [Trait("Category", "Slow")]
    public void BuildEvalExportImport_AgreeWithEachOther()
    {
        using var temp = new TempDirectory();
        string home = RandomCorpus(temp);

        var build = LmcProcess.Run(null, BuildArgs(home, "kn", "--json"));
        var eval = LmcProcess.Run(null, "ngram", "eval", "kn", "--json", "--home", home);
        var export = LmcProcess.Run(null, "ngram", "export-arpa", "kn", temp.Combine("kn.arpa"), "--home", home);
        var import = LmcProcess.Run(null, "ngram", "import-arpa", temp.Combine("kn.arpa"), "--name", "kn2", "--corpus", "r", "--home", home,
            "--quiet");
        var eval2 = LmcProcess.Run(null, "ngram", "eval", "kn2", "--json", "--home", home);
        var importProbing = LmcProcess.Run(null, "ngram", "import-arpa", temp.Combine("kn.arpa"), "--name", "kn3", "--corpus", "r", "--home", home,
            "--format", "probing", "--quiet");
        var eval3 = LmcProcess.Run(null, "ngram", "eval", "kn3", "--json", "--home", home);
        var badFormat = LmcProcess.Run(null, BuildArgs(home, "kn4", "--format", "hash"));
        var text = LmcProcess.Run(null, "ngram", "eval", "kn", "--text", temp.Combine("text", "doc03.txt"), "--json", "--home", home);
        var empty = LmcProcess.Run(null, "ngram", "eval", "kn", "--text", temp.Write("empty.txt", ""), "--json", "--home", home);

        Assert.Equal(0, build.ExitCode);
        Assert.Equal(0, eval.ExitCode);
        Assert.Equal(0, export.ExitCode);
        Assert.Equal(0, import.ExitCode);
        Assert.Equal(0, importProbing.ExitCode);
        Assert.Equal(0, text.ExitCode);
        Assert.Equal(1, badFormat.ExitCode);
        Assert.Contains("--format must be probing or trie (got 'hash')", Assert.Single(badFormat.StderrLines));
        Assert.Equal(0, empty.ExitCode); // no tokens: no perplexity (0/0), not a crash
        using (var none = JsonDocument.Parse(empty.Stdout))
        {
            Assert.Equal(0, none.RootElement.GetProperty("tokens").GetInt64());
            Assert.False(none.RootElement.TryGetProperty("perplexity", out var p) && p.ValueKind == JsonValueKind.Number);
        }
        using var b = JsonDocument.Parse(build.Stdout);
        using var e = JsonDocument.Parse(eval.Stdout);
        using var e2 = JsonDocument.Parse(eval2.Stdout);
        Assert.Equal(b.RootElement.GetProperty("testPerplexity").GetDouble(), e.RootElement.GetProperty("perplexity").GetDouble(), 6);
        Assert.Equal(e.RootElement.GetProperty("perplexity").GetDouble(), e2.RootElement.GetProperty("perplexity").GetDouble());
        Assert.Equal(e.RootElement.GetProperty("tokens").GetInt64(), e2.RootElement.GetProperty("tokens").GetInt64());
        Assert.Equal("trie", e.RootElement.GetProperty("format").GetString()); // the build and the import both write the mapped file
        Assert.Equal("trie", e2.RootElement.GetProperty("format").GetString());
        using var e3 = JsonDocument.Parse(eval3.Stdout);
        Assert.Equal("probing", e3.RootElement.GetProperty("format").GetString());
        Assert.Equal(e.RootElement.GetProperty("perplexity").GetDouble(), e3.RootElement.GetProperty("perplexity").GetDouble());
        Assert.StartsWith("\n\\data\\\nngram 1=", File.ReadAllText(temp.Combine("kn.arpa")));
    }

    /// <summary>Both mapped files, through ngram eval (the --format file) and through lmc eval (the trie, either format).</summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("probing", "ngrams.probing", "ngram")]
    [InlineData("trie", "ngrams.trie", "ngram")]
    [InlineData("probing", "ngrams.trie", "eval")]
    public void Eval_DamagedOrTruncatedMappedFile_OneLineExit2(string format, string file, string command)
    {
        using var temp = new TempDirectory();
        string home = RandomCorpus(temp);
        Assert.Equal(0, LmcProcess.Run(null, BuildArgs(home, "kn", "--quiet", "--format", format)).ExitCode);
        string path = Path.Combine(home, "models", "kn", file);
        var bytes = File.ReadAllBytes(path);
        string[] args = command == "ngram" ? ["ngram", "eval", "kn", "--json", "--home", home]
            : ["eval", "--corpus", "r", "--models", "kn", "--no-document", "--json", "--quiet", "--home", home];

        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var damaged = LmcProcess.Run(null, args);
        File.WriteAllBytes(path, bytes[..^100]);
        var truncated = LmcProcess.Run(null, args);
        File.Delete(path);
        var missing = LmcProcess.Run(null, args);

        foreach (var (run, says) in new[] { (damaged, "checksum"), (truncated, "truncated"), (missing, "missing") })
        {
            Assert.Equal(2, run.ExitCode);
            Assert.Equal("", run.Stdout); // no figure from a damaged file
            var line = Assert.Single(run.StderrLines);
            Assert.Contains(file, line);
            Assert.Contains(says, line);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Build_KilledInEveryStageThenResumed_SameModel()
    {
        using var temp = new TempDirectory();
        string home = RandomCorpus(temp);
        Assert.Equal(0, LmcProcess.Run(null, BuildArgs(home, "reference", "--quiet")).ExitCode);
        LmcProcess.Run(null, "ngram", "export-arpa", "reference", temp.Combine("reference.arpa"), "--home", home);

        // --memory 1MB streams: the count in chunks of 4,096 positions, the estimate through external sorts; each kill lands
        // inside a stage, where the file named appears
        foreach (var (memory, file) in new[] { ("1MB", ".count-runs/count-4-2.run"), ("1MB", ".estimate/adjusted-3.bin"),
            ("1MB", ".estimate/initial-3.bin"), ("1MB", "ngrams.bin.tmp"), ("1GB", "ngrams.bin.tmp"),
            ("1MB", "ngrams.probing.tmp"), ("1MB", "ngrams.trie.tmp") })
        {
            string name = $"killed-{memory}-{Path.GetFileName(file)}";
            string path = Path.Combine(home, "models", name, file);
            bool killed = LmcProcess.KillWhen(BuildArgs(home, name, "--memory", memory, "--format", "probing"), () => File.Exists(path));
            var resumed = LmcProcess.Run(null, BuildArgs(home, name, "--memory", memory, "--format", "probing", "--resume"));
            LmcProcess.Run(null, "ngram", "export-arpa", name, temp.Combine(name + ".arpa"), "--home", home);

            Assert.True(killed, $"{name}: the build finished before it could be killed");
            Assert.Equal(0, resumed.ExitCode);
            Assert.Equal(File.ReadAllText(temp.Combine("reference.arpa")), File.ReadAllText(temp.Combine(name + ".arpa")));
            Assert.Equal(["manifest.json", "ngrams.bin", "ngrams.probing", "ngrams.trie"],
                Directory.GetFileSystemEntries(Path.Combine(home, "models", name))
                .Select(Path.GetFileName).Where(f => f != ".lock").Order());
        }
    }

    [Theory]
    [InlineData(1, "--order must be in 1..8", "--corpus", "r", "--order", "9")]
    [InlineData(1, "--order must be in 1..8", "--corpus", "r", "--order", "0")]
    [InlineData(2, "corpus 'nope' not found", "--corpus", "nope")]
    public void Build_BadInput_OneLineAndExitCode(int exitCode, string expected, params string[] args)
    {
        using var temp = new TempDirectory();
        string home = temp.Combine("home");
        temp.Write("t/a.txt", "a b c\nb c d\n");
        LmcProcess.Run(null, "corpus", "ingest", temp.Combine("t/a.txt"), "--name", "r", "--home", home, "--quiet");

        var run = LmcProcess.Run(null, ["ngram", "build", "--name", "m", "--home", home, .. args]);

        Assert.Equal(exitCode, run.ExitCode);
        Assert.Contains(expected, Assert.Single(run.StderrLines));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Build_ExistingWithoutForce_Exit1_AndTinyDataWithoutFallback_Exit2()
    {
        using var temp = new TempDirectory();
        string home = temp.Combine("home");
        temp.Write("t/a.txt", "a b c\nb c d\na b d\n");
        LmcProcess.Run(null, "corpus", "ingest", temp.Combine("t/a.txt"), "--name", "r", "--home", home, "--quiet");

        var noFallback = LmcProcess.Run(null, "ngram", "build", "--corpus", "r", "--name", "m", "--order", "2", "--home", home);
        var first = LmcProcess.Run(null, "ngram", "build", "--corpus", "r", "--name", "m", "--order", "2", "--discount-fallback", "--home", home,
            "--quiet", "--force");
        var second = LmcProcess.Run(null, "ngram", "build", "--corpus", "r", "--name", "m", "--order", "2", "--discount-fallback", "--home", home);

        Assert.Equal(2, noFallback.ExitCode);
        Assert.Contains("--discount-fallback", noFallback.Stderr);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("already exists", second.Stderr);
    }

    [Fact]
    public void ImportArpa_BadFile_Exit2WithFileAndLine()
    {
        using var temp = new TempDirectory();
        string home = temp.Combine("home");
        temp.Write("t/a.txt", "a b c\nb c d\na c\n");
        Assert.Equal(0, LmcProcess.Run(null, "corpus", "ingest", temp.Combine("t/a.txt"), "--name", "r", "--home", home, "--quiet").ExitCode);
        string arpa = temp.Write("bad.arpa", "\\data\\\nngram 1=2\n\n\\1-grams:\n-1\t<unk>\n-1\tzzz\n\n\\end\\\n");

        var run = LmcProcess.Run(null, "ngram", "import-arpa", arpa, "--name", "m", "--corpus", "r", "--home", home);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("bad.arpa:6: word 'zzz' is not in the corpus vocabulary", Assert.Single(run.StderrLines, l => l.StartsWith("lmc:")));
        Assert.False(File.Exists(Path.Combine(home, "models", "m", "manifest.json")));
    }
}
