using System.Reflection;
using LmCompare.Evaluation.Analysis;
using ScottPlot;

namespace LmCompare.Evaluation.Reports;

/// <summary>One rendered plot: file name, caption, PNG bytes.</summary>
public sealed record PlotImage(string File, string Title, string Caption, byte[] Png);

/// <summary>
/// The report's plots, rendered headless by ScottPlot with the DejaVu Sans font this project ships (machines without
/// fonts would otherwise lose every label silently). Log axes are drawn as log10 of the data with 10^k tick labels.
/// </summary>
public static class ReportPlots
{
    public const string FontName = "DejaVu Sans";
    private const int Width = 900, Height = 520;
    private static readonly object Gate = new();
    private static bool _fontReady;

    public static List<PlotImage> Render(EvaluationReport report)
    {
        EnsureFont();
        var plots = new List<PlotImage>();
        if (report.Curves.Count > 0) plots.Add(LearningCurves(report));
        if (report.Models.Any(m => m.Novelty.Count > 0)) plots.Add(Novelty(report));
        if (report.Sparsity is not null) { plots.Add(FillRatio(report.Sparsity)); plots.Add(Growth(report.Sparsity)); }
        plots.Add(PerplexityAgainstBytes(report));
        return plots;
    }

    /// <summary>Writes the embedded TTF to a temporary file once per process and registers it for regular and bold text.</summary>
    public static void EnsureFont()
    {
        lock (Gate)
        {
            if (_fontReady) return;
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("LmCompare.Evaluation.DejaVuSans.ttf")
                ?? throw new InvalidOperationException("the embedded font is missing from the build");
            string folder = Path.Combine(Path.GetTempPath(), $"lmc-fonts-{Environment.ProcessId}");
            Directory.CreateDirectory(folder);
            string path = Path.Combine(folder, "DejaVuSans.ttf");
            using (var file = File.Create(path)) stream.CopyTo(file);
            Fonts.AddFontFile(FontName, path, bold: false, italic: false);
            Fonts.AddFontFile(FontName, path, bold: true, italic: false);
            Fonts.Default = FontName;
            _fontReady = true;
        }
    }

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        return plot;
    }

    private static PlotImage Save(Plot plot, string file, string title, string caption) =>
        new(file, title, caption, plot.GetImageBytes(Width, Height, ImageFormat.Png));

    private static void LogAxis(IAxis axis, bool integersOnly = true)
    {
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = integersOnly,
            LabelFormatter = v
                => integersOnly ? (Math.Abs(v) < 4 ? Math.Pow(10, v).ToString("0.####",
                System.Globalization.CultureInfo.InvariantCulture) : $"1e{v:0}") : Si(Math.Pow(10, v)),
        };
        axis.TickGenerator = ticks;
    }

    /// <summary>1234 as "1.2k", 3.4e6 as "3.4M".</summary>
    private static string Si(double x)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        return x switch
        {
            >= 1e9 => (x / 1e9).ToString("0.#", c) + "G",
            >= 1e6 => (x / 1e6).ToString("0.#", c) + "M",
            >= 1e3 => (x / 1e3).ToString("0.#", c) + "k",
            _ => x.ToString("0.##", c),
        };
    }

    private static PlotImage LearningCurves(EvaluationReport report)
    {
        var plot = NewPlot("Learning curves", "training tokens (log scale)", "validation perplexity");
        foreach (var curve in report.Curves.Where(c => c.Points.Count > 0))
        {
            var points = curve.Points.Where(p => double.IsFinite(p.Perplexity) && p.TrainingTokens > 0).ToList();
            var line = plot.Add.Scatter(points.Select(p => Math.Log10(p.TrainingTokens)).ToArray(), points.Select(p => p.Perplexity).ToArray());
            line.LegendText = $"{curve.Model} ({curve.Kind})";
            line.MarkerSize = 6;
            if (report.Fits.FirstOrDefault(f => f.Model == curve.Model) is { } fit && points.Count > 0)
            {
                var xs = Enumerable.Range(0, 41).Select(i => Math.Log10(points[0].TrainingTokens / 2.0) + i / 40.0 *
                    Math.Log10(points[^1].TrainingTokens * 8.0 / points[0].TrainingTokens)).ToArray();
                var law = plot.Add.ScatterLine(xs, xs.Select(x => fit.Predict(Math.Pow(10, x))).ToArray());
                law.LinePattern = LinePattern.Dashed;
                law.Color = line.Color;
                law.LegendText = $"{curve.Model}: fitted c + a D^-b";
            }
        }
        LogAxis(plot.Axes.Bottom, integersOnly: false);
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, "learning-curves.png", "Learning curves",
            "Validation perplexity against training tokens. Count models are rebuilt on 1/64, 1/32, ... of the training split (sentence scope; " +
            "dashed: the fitted law, drawn to 8 times the data); " +
            "the transformer's points are its validation checks during training, by tokens seen (non-overlapping windows).");
    }

    private static PlotImage Novelty(EvaluationReport report)
    {
        var plot = NewPlot("Perplexity by context novelty", "k = longest context suffix seen in training (tokens)",
            "test perplexity, sentence scope");
        var models = report.Models.Where(m => m.Novelty.Count > 0).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        double width = 0.8 / models.Count;
        for (int i = 0; i < models.Count; i++)
        {
            var color = palette.GetColor(i);
            var bars = models[i].Novelty.Where(b => b.Perplexity is not null && b.Positions > 0)
                .Select(b => new Bar { Position = b.K - 0.4 + width * (i + 0.5), Value = b.Perplexity!.Value, Size = width * 0.95,
                    FillColor = color }).ToList();
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = models[i].Name, FillColor = color });
        }
        var shares = report.NoveltyShares;
        plot.Axes.Bottom.SetTicks(shares.Select(s => (double)s.K).ToArray(), shares.Select(s => $"k={s.K} ({s.Share * 100:0.#}%)").ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Edge.Bottom);
        return Save(plot, "novelty.png", "Perplexity by context novelty",
            "Each test position is bucketed by k, the longest suffix (0-4 tokens) of its history that occurs in training; the share of positions " +
                "is under each k. " +
            "Low k is where a model must generalise rather than look up.");
    }

    private static PlotImage FillRatio(SparsityReport sparsity)
    {
        var plot = NewPlot("How full the count tables are", "n-gram order n, or pair distance d",
            "fill ratio = distinct keys / possible cells (log scale)");
        var ngrams = plot.Add.Scatter(sparsity.NGrams.Select(r => (double)r.Size).ToArray(),
            sparsity.NGrams.Select(r => Math.Log10(Math.Max(r.FillRatio, 1e-300))).ToArray());
        ngrams.LegendText = "n-grams of order n (cells V^n)";
        ngrams.MarkerSize = 8;
        var pairs = plot.Add.Scatter(sparsity.Pairs.Select(r => (double)r.Size).ToArray(),
            sparsity.Pairs.Select(r => Math.Log10(Math.Max(r.FillRatio, 1e-300))).ToArray());
        pairs.LegendText = "pairs at distance d (cells V^2)";
        pairs.MarkerSize = 8;
        LogAxis(plot.Axes.Left);
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, "fill-ratio.png", "Fill ratio per order and distance",
            "Distinct keys seen in training over the number of possible cells, on a log axis: with V words, order n has V^n cells, a pair distance " +
                "V^2.");
    }

    private static PlotImage Growth(SparsityReport sparsity)
    {
        var plot = NewPlot("Distinct keys against training data", "training tokens (log scale)", "distinct keys (log scale)");
        var xs = sparsity.Growth.Select(g => Math.Log10(Math.Max(1, g.Tokens))).ToArray();
        int orders = sparsity.Growth.Count == 0 ? 0 : sparsity.Growth[0].NGrams.Length;
        for (int n = 0; n < orders; n++)
        {
            var line = plot.Add.Scatter(xs, sparsity.Growth.Select(g => Math.Log10(Math.Max(1, g.NGrams[n]))).ToArray());
            line.LegendText = $"{n + 1}-grams";
        }
        if (sparsity.Pairs.Count > 0)
        {
            var all = plot.Add.Scatter(xs, sparsity.Growth.Select(g => Math.Log10(Math.Max(1, g.Pairs.Sum()))).ToArray());
            all.LegendText = $"pairs, distances 1-{sparsity.Pairs.Count} together";
            all.LinePattern = LinePattern.Dashed;
        }
        LogAxis(plot.Axes.Bottom, integersOnly: false);
        LogAxis(plot.Axes.Left, integersOnly: false);
        plot.ShowLegend(Alignment.UpperLeft);
        return Save(plot, "growth.png", "Growth of distinct keys",
            "Distinct n-grams and pairs in the first 1/16, 1/8, ... 1 of the training split: a count model's size keeps growing with the data.");
    }

    private static PlotImage PerplexityAgainstBytes(EvaluationReport report)
    {
        var plot = NewPlot("Perplexity against storage", "bytes on disk (log scale)", "test perplexity, sentence scope");
        foreach (var m in report.Models.Where(m => m.Mixture is null && m.Perplexity is not null && m.BytesOnDisk > 0))
        {
            var point = plot.Add.Scatter(new[] { Math.Log10(m.BytesOnDisk) }, new[] { m.Perplexity!.Value });
            point.LegendText = $"{m.Name} ({ReportText.Bytes(m.BytesOnDisk)})";
            point.MarkerSize = 12;
        }
        LogAxis(plot.Axes.Bottom, integersOnly: false);
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, "perplexity-vs-bytes.png", "Perplexity against storage",
            "Each model's test perplexity against the bytes its folder takes on disk (count stores and tables, or the transformer's checkpoint).");
    }
}
