using System.Globalization;

namespace LmCompare.Evaluation.Reports;

/// <summary>
/// The plain-language opening of a report, computed from its numbers only: which model wins overall, on contexts seen
/// in training and on unseen ones, where the idea under test (the pair-distance model) lands against the n-gram bar,
/// and what each costs in storage and time. Every sentence states the figures it rests on.
/// </summary>
public static class Verdict
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static List<string> For(EvaluationReport report)
    {
        var lines = new List<string>();
        var scored = report.Models.Where(m => m.Perplexity is not null).OrderBy(m => m.Perplexity).ToList();
        if (scored.Count == 0) return ["No model produced a finite perplexity."];
        var single = scored.Where(m => m.Mixture is null).ToList();
        var best = single.Count > 0 ? single[0] : scored[0];
        string runnersUp = string.Join(", ", single.Skip(1).Select(m => $"{m.Name} {P(m.Perplexity)}"));
        lines.Add($"Overall (sentence scope, {report.Split} split): {best.Name} ({best.Kind}) has the lowest perplexity, {P(best.Perplexity)}" +
            (runnersUp.Length > 0 ? $"; then {runnersUp}." : "."));
        AddIdeaLine(lines, single);
        AddNoveltyLines(lines, report, single);
        var mixture = scored.FirstOrDefault(m => m.Mixture is not null);
        if (mixture is not null)
        {
            var parts = single.Where(m => m.Name == mixture.Mixture!.First || m.Name == mixture.Mixture.Second).ToList();
            double bestPart = parts.Count == 0 ? double.NaN : parts.Min(m => m.Perplexity!.Value);
            lines.Add($"Mixing {mixture.Mixture!.First} and {mixture.Mixture.Second} (weight {mixture.Mixture.Weight.ToString("0.00", C)} on the " +
                $"first, fitted on validation) " +
                $"gives {P(mixture.Perplexity)}, {Change(mixture.Perplexity!.Value, bestPart)} than the better of the two.");
        }
        AddCostLine(lines, single);
        return lines;
    }

    private static void AddIdeaLine(List<string> lines, List<ModelResult> single)
    {
        var pairs = single.FirstOrDefault(m => m.Kind == "pairs");
        var ngram = single.FirstOrDefault(m => m.Kind == "ngram");
        var gpt = single.FirstOrDefault(m => m.Kind == "gpt");
        if (pairs is null) return;
        var parts = new List<string>();
        if (ngram is not null) parts.Add($"{Change(pairs.Perplexity!.Value, ngram.Perplexity!.Value)} than the Kneser-Ney model " +
            $"({P(ngram.Perplexity)})");
        if (gpt is not null) parts.Add($"{Change(pairs.Perplexity!.Value, gpt.Perplexity!.Value)} than the transformer ({P(gpt.Perplexity)})");
        if (parts.Count > 0)
            lines.Add($"The idea under test, pair/distance counting ({pairs.Name}), reaches {P(pairs.Perplexity)}: {string.Join(" and ", parts)}; " +
                $"top-1 accuracy {ReportText.Pct(pairs.Top1)} vs " +
                    $"{string.Join(", ", single.Where(m => m != pairs).Select(m => $"{m.Name} {ReportText.Pct(m.Top1)}"))}.");
    }

    /// <summary>Seen: k = 4 (the whole 4-token context occurs in training). Unseen: k &lt;= 1 (not even the last two tokens together).</summary>
    private static void AddNoveltyLines(List<string> lines, EvaluationReport report, List<ModelResult> single)
    {
        if (single.Count < 2 || report.NoveltyShares.Count == 0) return;
        string Bucket(string label, Func<int, bool> inBucket)
        {
            double share = report.NoveltyShares.Where(s => inBucket(s.K)).Sum(s => s.Share);
            var ranked = single.Select(m => (m.Name, Ppl: Pooled(m, inBucket))).Where(x => double.IsFinite(x.Ppl)).OrderBy(x => x.Ppl).ToList();
            if (ranked.Count == 0) return "";
            return $"on {label}, {ReportText.Pct(share)} of positions, {ranked[0].Name} wins with {ranked[0].Ppl.ToString("0.0", C)}" +
                string.Concat(ranked.Skip(1).Select(x => $", {x.Name} {x.Ppl.ToString("0.0", C)}"));
        }
        string seen = Bucket("contexts seen in training (k = 4)", k => k == 4);
        string unseen = Bucket("contexts never seen beyond the last token (k <= 1)", k => k <= 1);
        lines.Add($"By context novelty: {seen}; {unseen}.");
    }

    /// <summary>Perplexity over the positions of some novelty buckets, pooled from per-bucket perplexities (nats = n ln ppl).</summary>
    public static double Pooled(ModelResult model, Func<int, bool> inBucket)
    {
        double nats = 0;
        long n = 0;
        foreach (var b in model.Novelty.Where(b => inBucket(b.K) && b.Positions > 0 && b.Perplexity is not null))
        {
            nats += b.Positions * Math.Log(b.Perplexity!.Value);
            n += b.Positions;
        }
        return n == 0 ? double.NaN : Math.Exp(nats / n);
    }

    private static void AddCostLine(List<string> lines, List<ModelResult> single)
    {
        var costs = single.Select(m =>
        {
            string seconds = m.Build.TryGetValue("build seconds", out var s) ? $", built in {s} s" : "";
            return $"{m.Name} {ReportText.Bytes(m.BytesOnDisk)} on disk{seconds}, scores {ReportText.Num(m.TokensPerSecond, "N0")} tokens/s";
        });
        lines.Add($"Cost: {string.Join("; ", costs)}.");
    }

    private static string P(double? perplexity) => ReportText.Num(perplexity, "0.0");

    private static string Change(double value, double reference)
    {
        if (!double.IsFinite(value) || !double.IsFinite(reference) || reference <= 0) return "-";
        double change = (value / reference - 1) * 100;
        return change < 0 ? $"{(-change).ToString("0.0", C)}% lower" : $"{change.ToString("0.0", C)}% higher";
    }
}
