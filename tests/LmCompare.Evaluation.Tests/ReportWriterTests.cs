using LmCompare.Core;
using LmCompare.Evaluation.Reports;
using LmCompare.Tests;

namespace LmCompare.Evaluation.Tests;

public class ReportWriterTests
{
    [Fact]
    public void Write_TinyRun_EverySectionPlotAndFormat()
    {
        using var temp = new TempDirectory();
        var report = ReportFixture.TinyReport(temp);
        string folder = ReportWriter.Write(report, temp.Combine("report"));

        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        foreach (string id in HtmlReport.SectionIds) Assert.Contains($"<section id=\"{id}\"", html);
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Count(html, "<img alt=\"[^\"]+\" src=\"data:image/png;base64,"));
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        string md = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.Contains("## Verdict", md);
        foreach (string png in new[] { "learning-curves.png", "novelty.png", "fill-ratio.png", "growth.png", "perplexity-vs-bytes.png" })
        {
            Assert.Contains($"]({png})", md);
            var bytes = File.ReadAllBytes(Path.Combine(folder, png));
            Assert.True(bytes.Length > 5000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', $"{png} is not a rendered PNG");
        }
        var loaded = EvaluationReport.Load(Path.Combine(folder, "report.json"));
        Assert.Equal(1, loaded.Schema);
        Assert.Equal(["bigram", "uniform", "bigram+uniform"], loaded.Models.Select(m => m.Name));
        Assert.NotEmpty(loaded.Verdict);
        Assert.Contains("bigram (bigram) has the lowest perplexity", loaded.Verdict[0]);
        Assert.Empty(Directory.GetDirectories(temp.Path, ".report.tmp-*")); // the temporary folder was renamed away
    }

    [Fact]
    public void Write_UniformModel_PerplexityIsTheVocabularySize()
    {
        using var temp = new TempDirectory();
        var report = ReportFixture.TinyReport(temp);
        var uniform = report.Models.Single(m => m.Name == "uniform");
        Assert.Equal(report.VocabularySize - 1, uniform.Perplexity!.Value, 6); // every id but <s> equally likely
        Assert.Equal(uniform.Perplexity, uniform.Document!.Perplexity);
        Assert.True(report.Models.Single(m => m.Kind == "mixture").Mixture!.Weight > 0.5);
        Assert.Equal(1.0, report.NoveltyShares.Sum(s => s.Share), 9);
    }

    [Fact]
    public void Write_OutIsAFile_RefusedAndNothingWritten()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("taken", "not a folder");
        Assert.Throws<InputException>(() => ReportWriter.CheckWritable(file));
        temp.Write("other/notes.txt", "someone's files");
        var e = Assert.Throws<InputException>(() => ReportWriter.CheckWritable(temp.Combine("other")));
        Assert.Contains("not a report folder", e.Message);
    }
}
