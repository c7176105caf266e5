using System.Text.Json;
using LmCompare.Tests;

namespace LmCompare.Cli.Tests;

[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class EvalCommandTests
{
    /// <summary>Two corpora "r" and "s" with a pair model and a 3-gram on "r", and a 3-gram on "s".</summary>
    private static string Workspace(TempDirectory temp)
    {
        var random = new Random(3);
        for (int d = 0; d < 6; d++)
            temp.Write($"text/doc{d}.txt", string.Join('\n', Enumerable.Range(0, 120).Select(_ =>
                string.Join(' ', Enumerable.Range(0, random.Next(3, 12)).Select(_ => $"w{(int)(200 * Math.Pow(random.NextDouble(), 2))}")))));
        string home = temp.Combine("home");
        foreach (var args in new[]
        {
            new[] { "corpus", "ingest", temp.Combine("text"), "--name", "r", "--tokenizer", "whitespace" },
            ["corpus", "ingest", temp.Combine("text"), "--name", "s", "--tokenizer", "whitespace", "--min-count", "2"],
            ["pairs", "build", "--corpus", "r", "--name", "rp", "--distances", "3"],
            ["ngram", "build", "--corpus", "r", "--name", "rk", "--order", "3", "--discount-fallback"],
            ["ngram", "build", "--corpus", "s", "--name", "sk", "--order", "3", "--discount-fallback"],
        })
            Assert.Equal(0, LmcProcess.Run(null, [.. args, "--home", home, "--quiet"]).ExitCode);
        return home;
    }

    [Fact]
    public void Eval_TwoModelsAndMixture_JsonSchemaAndReport()
    {
        using var temp = new TempDirectory();
        string home = Workspace(temp);
        var run = LmcProcess.Run(null, "eval", "--corpus", "r", "--models", "rp,rk", "--mix", "rp+rk", "--json", "--out", temp.Combine("report"),
            "--home", home);

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schema").GetInt32());
        Assert.Equal("test", root.GetProperty("split").GetString());
        var models = root.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["rp", "rk", "rp+rk"], models.Select(m => m.GetProperty("name").GetString()));
        foreach (var m in models)
        {
            foreach (string field in new[] { "kind", "perplexity", "perplexityExclOov", "oov", "bitsPerByte", "top1", "top5", "tokensPerSecond",
                "parameters", "bytesOnDisk", "novelty" })
                Assert.True(m.TryGetProperty(field, out _), $"model lacks '{field}'");
            Assert.True(m.GetProperty("top5").GetDouble() >= m.GetProperty("top1").GetDouble());
        }
        double mix = models[2].GetProperty("perplexity").GetDouble();
        Assert.True(mix <= Math.Max(models[0].GetProperty("perplexity").GetDouble(), models[1].GetProperty("perplexity").GetDouble()));
        Assert.Equal(5, root.GetProperty("sparsity").GetProperty("ngrams").GetArrayLength());
        Assert.True(File.Exists(temp.Combine("report", "report.html")));

        var again = LmcProcess.Run(null, "report", temp.Combine("report"), "--out", temp.Combine("again"), "--home", home);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(File.ReadAllText(temp.Combine("report", "report.json")), File.ReadAllText(temp.Combine("again", "report.json")));
    }

    [Fact]
    public void Eval_SecondRun_ReadsTheCorpusAnalysis_SaysSo_SameFigures_RecomputeAsked_ComputesAgain()
    {
        using var temp = new TempDirectory();
        string home = Workspace(temp);
        string[] eval = ["eval", "--corpus", "r", "--models", "rp,rk", "--home", home, "--quiet"];

        var first = LmcProcess.Run(null, eval);
        var second = LmcProcess.Run(null, eval);
        var json = LmcProcess.Run(null, [.. eval, "--json"]);
        var recomputed = LmcProcess.Run(null, [.. eval, "--json", "--recompute-analysis"]);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("training census in", first.Stdout);
        Assert.True(File.Exists(Path.Combine(home, "corpora", "r", "analysis-test-n8.bin")));
        Assert.Contains("read from the corpus's kept analysis", second.Stdout);
        using var cached = JsonDocument.Parse(json.Stdout);
        using var fresh = JsonDocument.Parse(recomputed.Stdout);
        Assert.True(cached.RootElement.GetProperty("trainingAnalysisCached").GetBoolean());
        Assert.False(fresh.RootElement.GetProperty("trainingAnalysisCached").GetBoolean());
        foreach (string field in new[] { "sparsity", "noveltyShares" })
            Assert.Equal(cached.RootElement.GetProperty(field).GetRawText(), fresh.RootElement.GetProperty(field).GetRawText());
        foreach (var m in cached.RootElement.GetProperty("models").EnumerateArray())
            Assert.InRange(m.GetProperty("openSeconds").GetDouble(), 0, 10);
    }

    [Theory]
    [InlineData(2, "model 'nope' not found", "--models", "rp,nope")]
    [InlineData(2, "built on corpus 's', not 'r'", "--models", "rp,sk")]
    [InlineData(1, "cannot be mixed with itself", "--models", "rp,rk", "--mix", "rp+rp")]
    [InlineData(1, "not among --models", "--models", "rp", "--mix", "rp+rk")]
    [InlineData(1, "expected valid or test", "--models", "rp", "--split", "train")]
    [InlineData(1, "named twice", "--models", "rp,rp")]
    public void Eval_BadInput_OneLineAndExitCode(int code, string message, params string[] args)
    {
        using var temp = new TempDirectory();
        string home = Workspace(temp);
        var run = LmcProcess.Run(null, ["eval", "--corpus", "r", .. args, "--home", home, "--quiet"]);
        Assert.Equal(code, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.Contains(message, run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void Eval_IncompleteModelOrUnwritableOut_Refused()
    {
        using var temp = new TempDirectory();
        string home = Workspace(temp);
        File.Delete(Path.Combine(home, "models", "rk", "manifest.json")); // as if its build had been killed
        var incomplete = LmcProcess.Run(null, "eval", "--corpus", "r", "--models", "rp,rk", "--home", home, "--quiet");
        Assert.Equal(2, incomplete.ExitCode);
        Assert.Contains("did not finish", incomplete.Stderr);

        string file = temp.Write("taken.txt", "x");
        var badOut = LmcProcess.Run(null, "eval", "--corpus", "r", "--models", "rp", "--out", file, "--home", home, "--quiet");
        Assert.Equal(2, badOut.ExitCode);
        Assert.Contains("is a file", badOut.Stderr);

        var missing = LmcProcess.Run(null, "report", temp.Combine("nothing"), "--home", home);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("report not found", missing.Stderr);
    }
}

[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class CompareCommandTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void Compare_TextFolder_ReportThenEverythingReused()
    {
        using var temp = new TempDirectory();
        var random = new Random(5);
        for (int d = 0; d < 8; d++)
            temp.Write($"novel/ch{d}.txt", string.Join('\n', Enumerable.Range(0, 150).Select(_ =>
                string.Join(' ', Enumerable.Range(0, random.Next(3, 12)).Select(_ => $"w{(int)(300 * Math.Pow(random.NextDouble(), 2))}")) + ".")));
        string home = temp.Combine("home");

        var first = LmcProcess.Run(null, "compare", temp.Combine("novel"), "--minutes", "0.05", "--min-count", "1", "--out", temp.Combine("report"),
            "--home", home);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("novel-pairs", first.Stdout);
        Assert.Contains("novel-gpt+novel-kn5", first.Stdout);
        Assert.Contains("report:", first.Stdout);
        foreach (string file in new[] { "report.html", "report.md", "report.json", "learning-curves.png", "novelty.png" })
            Assert.True(File.Exists(temp.Combine("report", file)), $"{file} missing");

        var second = LmcProcess.Run(null, "compare", temp.Combine("novel"), "--minutes", "0.05", "--min-count", "1", "--out",
            temp.Combine("report2"), "--home", home);
        Assert.True(second.ExitCode == 0, second.Stderr);
        foreach (string stage in new[] { "corpus: reusing", "pairs: reusing", "ngram: reusing", "gpt: reusing", "eval: reusing", "curves: reusing" })
            Assert.Contains(stage, second.Stderr);

        var missing = LmcProcess.Run(null, "compare", temp.Combine("nowhere/text"), "--home", home, "--quiet");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no such file or folder", missing.Stderr);
    }
}
