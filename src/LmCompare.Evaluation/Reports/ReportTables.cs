namespace LmCompare.Evaluation.Reports;

/// <summary>The report's tables as header + rows of text, shared by the Markdown and HTML writers.</summary>
public sealed record ReportTable(string Id, string Title, string Note, string[] Header, List<string[]> Rows);

public static class ReportTables
{
    public static List<ReportTable> For(EvaluationReport r)
    {
        var tables = new List<ReportTable>
        {
            new("results", "Results",
                $"{r.Split} split of {r.Corpus}: {ReportText.Grouped(r.Tokens)} tokens ({ReportText.Grouped(r.Oov)} <unk>), " +
                $"{ReportText.Grouped(r.Bytes)} bytes. " +
                "Sentence scope (every line scored on its own, KenLM's convention). Perplexity = exp(mean natural-log loss) over every token " +
                    "including </s>; " +
                "excl. OOV drops positions whose target is <unk>; bits per byte = total nats / (ln 2 x UTF-8 bytes).",
                ["model", "kind", "perplexity", "ppl excl. OOV", "bits/byte", "top-1", "top-5", "tokens/s", "on disk", "parameters / entries"],
                r.Models.Select(m => new[] { m.Name, m.Kind, ReportText.Num(m.Perplexity), ReportText.Num(m.PerplexityExclOov),
                    ReportText.Num(m.BitsPerByte, "0.000"),
                    ReportText.Pct(m.Top1), ReportText.Pct(m.Top5), ReportText.Num(m.TokensPerSecond, "N0"), ReportText.Bytes(m.BytesOnDisk),
                        ReportText.Grouped(m.Parameters) }).ToList()),
        };
        var document = r.Models.Where(m => m.Document is not null).ToList();
        if (document.Count > 0)
            tables.Add(new("document", "Document scope",
                "Models may use every earlier token of the document (the transformer: sliding windows, stride context/2; " +
                "the n-gram model restarts at every sentence by construction). Compare these only with each other.",
                ["model", "perplexity", "ppl excl. OOV", "bits/byte", "top-1", "top-5", "tokens/s"],
                document.Select(m => new[] { m.Name, ReportText.Num(m.Document!.Perplexity), ReportText.Num(m.Document.PerplexityExclOov),
                    ReportText.Num(m.Document.BitsPerByte, "0.000"), ReportText.Pct(m.Document.Top1), ReportText.Pct(m.Document.Top5),
                        ReportText.Num(m.Document.TokensPerSecond, "N0") }).ToList()));
        if (r.NoveltyShares.Count > 0)
            tables.Add(new("novelty", "Context novelty",
                "k = the longest suffix (0-4 tokens) of a position's history, within its line and after the </s> before it, " +
                "that occurs in the training data. Perplexity of each model on the positions of each k (sentence scope).",
                ["k", "positions", "share", .. r.Models.Select(m => m.Name)],
                r.NoveltyShares.Select(s => (string[])[s.K.ToString(), ReportText.Grouped(s.Positions), ReportText.Pct(s.Share),
                    .. r.Models.Select(m => ReportText.Num(m.Novelty.FirstOrDefault(b => b.K == s.K)?.Perplexity, "0.0"))]).ToList()));
        if (r.Sparsity is { } sp)
        {
            tables.Add(new("sparsity", "Sparsity",
                $"Training split, V = {ReportText.Grouped(sp.VocabularySize)}. Keys never cross a document; </s> is a token. " +
                "Possible cells: V^n for n-grams, V^2 for pairs (exact values in report.json). Test unseen: share of the test split's keys never " +
                    "seen in training." + (sp.DistinctEstimated ? " Distinct keys are HyperLogLog estimates (within about 0.5%): the training " +
                    "split is larger than the evaluation's --memory; the unseen shares are exact." : ""),
                ["table", "distinct keys", "possible cells", "fill ratio", "test keys unseen"],
                sp.NGrams.Concat(sp.Pairs).Select(x => new[] { x.Kind == "ngram" ? $"{x.Size}-grams" : $"pairs, distance {x.Size}",
                    ReportText.Grouped(x.Distinct), ReportText.Big(x.Possible), ReportText.Sci(x.FillRatio),
                        ReportText.Pct(x.TestUnseen) }).ToList()));
            tables.Add(new("growth", "Growth of distinct keys", "Distinct keys in the first part of the training split" +
                (sp.DistinctEstimated ? " (HyperLogLog estimates)." : "."),
                ["share of training", "tokens", .. Enumerable.Range(1, sp.Growth.Count > 0 ? sp.Growth[0].NGrams.Length : 0).Select(n
                    => $"{n}-grams"), "pairs (all distances)"],
                sp.Growth.Select(g => (string[])[ReportText.Num(g.Fraction, "0.####"), ReportText.Grouped(g.Tokens),
                    .. g.NGrams.Select(ReportText.Grouped), ReportText.Grouped(g.Pairs.Sum())]).ToList()));
        }
        var storage = r.Models.Where(m => m.Mixture is null).ToList();
        tables.Add(new("storage", "Storage and build",
            "Bytes of each model folder on disk; for the transformer also its parameters as 32-bit floats.",
            ["model", "kind", "on disk", "parameters / entries", "as fp32", "build"],
            storage.Select(m => new[] { m.Name, m.Kind, ReportText.Bytes(m.BytesOnDisk), ReportText.Grouped(m.Parameters),
                m.Kind == "gpt" ? ReportText.Bytes(m.Parameters * 4) : "-",
                string.Join("; ", m.Build.Select(kv => $"{kv.Key}: {kv.Value}")) }).ToList()));
        if (r.Neighbours.Count > 0)
            tables.Add(new("vectors", "What the word vectors learned",
                "Nearest words by cosine similarity (candidates seen at least 20 times in training): " +
                "the transformer's token embeddings, and PPMI + SVD vectors of the pair counts (each word described by which words stand 1..N " +
                    "before it). " +
                "`lmc neighbors` and `lmc analogy` query them.",
                ["word", "vectors", "nearest words"],
                r.Neighbours.Select(x => new[] { x.Word, x.Space, string.Join(", ", x.Nearest) }).ToList()));
        if (r.Curves.Count > 0)
            tables.Add(new("curves", "Learning curves", string.Join(" ", r.Curves.Select(c => $"{c.Model}: {c.Measure}.").Distinct()),
                ["model", "training tokens", "validation perplexity"],
                r.Curves.SelectMany(c => c.Points.Select(p => new[] { c.Model, ReportText.Grouped(p.TrainingTokens),
                    ReportText.Num(p.Perplexity) })).ToList()));
        if (r.Fits.Count > 0)
            tables.Add(new("laws", "Fitted data-scaling laws",
                "ppl(D) = c + a (D / 1M)^-b fitted to each count model's learning curve (D: training tokens; weighted least squares, " +
                    "± one standard error). " + string.Join(" ", r.Extrapolations),
                ["model", "a", "b", "c (floor)", "points"],
                r.Fits.Select(f => new[] { f.Model, WithError(f.A, f.StandardErrorA), WithError(f.B, f.StandardErrorB),
                    WithError(f.C, f.StandardErrorC), f.Points.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToList()));
        return tables;
    }

    private static string WithError(double value, double? error) =>
        error is { } e && double.IsFinite(e) ? $"{ReportText.Num(value)} ± {ReportText.Num(e)}" : ReportText.Num(value);
}
