using System.Text.Json;
using LmCompare.Tests;

namespace LmCompare.Cli.Tests;

[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class GenerateCommandTests
{
    /// <summary>A word corpus with a pair model, a 3-gram and a tiny transformer (a few steps).</summary>
    private static string Workspace(TempDirectory temp)
    {
        var random = new Random(8);
        string[] words = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "far", "home", "and", "slept", "king", "queen", "ordered"];
        for (int d = 0; d < 6; d++)
            temp.Write($"text/doc{d}.txt", string.Join('\n', Enumerable.Range(0, 80).Select(_ =>
                string.Join(' ', Enumerable.Range(0, random.Next(3, 10)).Select(_ => words[random.Next(words.Length)])) + ".")));
        string home = temp.Combine("home");
        foreach (var args in new[]
        {
            new[] { "corpus", "ingest", temp.Combine("text"), "--name", "w" },
            ["pairs", "build", "--corpus", "w", "--name", "p", "--distances", "3"],
            ["ngram", "build", "--corpus", "w", "--name", "k", "--order", "3", "--discount-fallback"],
            ["train", "--corpus", "w", "--name", "g", "--steps", "20", "--layers", "1", "--d-model", "16", "--heads", "2", "--context", "16",
                "--batch", "8", "--eval-every", "10"],
        })
            Assert.Equal(0, LmcProcess.Run(null, [.. args, "--home", home, "--quiet"]).ExitCode);
        return home;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Generate_EveryModel_SameSeedSameText_JsonAndVote()
    {
        using var temp = new TempDirectory();
        string home = Workspace(temp);
        foreach (string model in new[] { "p", "k", "g" })
        {
            string[] args = ["generate", "--model", model, "--prompt", "the cat", "--seed", "5", "--max-tokens", "12", "--samples", "2", "--json",
                "--home", home];
            var first = LmcProcess.Run(null, args);
            var second = LmcProcess.Run(null, args);
            Assert.True(first.ExitCode == 0, first.Stderr);
            using var a = JsonDocument.Parse(first.Stdout);
            using var b = JsonDocument.Parse(second.Stdout);
            var textsA = a.RootElement.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("text").GetString()).ToList();
            var textsB = b.RootElement.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("text").GetString()).ToList();
            Assert.Equal(textsA, textsB);
            Assert.Equal(2, textsA.Count);
            foreach (var s in a.RootElement.GetProperty("samples").EnumerateArray())
                Assert.DoesNotContain("<unk>", s.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()));
        }
        var vote = LmcProcess.Run(null, "generate", "--model", "p", "--prompt", "the", "--decode", "vote", "--max-tokens", "5", "--home", home,
            "--quiet");
        Assert.True(vote.ExitCode == 0, vote.Stderr);
        Assert.NotEqual("", vote.Stdout.Trim());
        var punctuation = LmcProcess.Run(null, "generate", "--model", "k", "--prompt", "the dog", "--greedy", "--max-tokens", "30", "--home", home,
            "--quiet");
        Assert.DoesNotContain(" .", punctuation.Stdout); // the word tokenizer's text: no space before punctuation
    }

    [Theory]
    [InlineData(1, "--temperature must be positive", "--temperature", "0")]
    [InlineData(1, "--top-p must be in (0, 1]", "--top-p", "1.5")]
    [InlineData(1, "--decode vote needs a pair-distance model", "--decode", "vote")]
    [InlineData(2, "outside w's vocabulary", "--prompt", "zebra quokka")]
    public void Generate_BadInput_OneLine(int code, string message, params string[] extra)
    {
        using var temp = new TempDirectory();
        string home = Workspace(temp);
        var run = LmcProcess.Run(null, ["generate", "--model", "k", .. extra, "--home", home, "--quiet"]);
        Assert.Equal(code, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.Contains(message, run.Stderr);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Repl_ScriptedThroughStdin_PromptNextSetQuit()
    {
        using var temp = new TempDirectory();
        string home = Workspace(temp);
        string script = "the cat\n:next the\n:set temperature 0\n:set top-k 5\nzebra\n\n:load nope\n:quit\nthe dog\n";
        var run = LmcProcess.RunWithInput(null, script, "repl", "--models", "p,k,g", "--max-tokens", "6", "--home", home);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Count(l => l.StartsWith("loaded ")));
        foreach (string model in new[] { "p", "k", "g" })
        {
            Assert.Contains(lines, l => l.StartsWith($"[{model}] the cat"));
            var next = Assert.Single(lines, l => l.StartsWith($"[{model}] ") && !l.Contains("ms/token")); // its :next line
            Assert.Equal(10, System.Text.RegularExpressions.Regex.Count(next, @" [01]\.\d{3}")); // 10 tokens with probabilities
        }
        Assert.Contains("error: --temperature must be positive", run.Stdout);
        Assert.Contains("top-k = 5", run.Stdout);
        Assert.Contains("error: every word of the prompt is outside", run.Stdout);
        Assert.Contains("error: model 'nope' not found", run.Stdout);
        Assert.DoesNotContain(lines, l => l.StartsWith("[p] the dog")); // nothing after :quit
        Assert.Equal(3,
            lines.Count(l => l.StartsWith('[') && l.Contains("ms/token") && !l.Contains("cat"))); // the empty prompt: a new sentence from each model
    }
}
