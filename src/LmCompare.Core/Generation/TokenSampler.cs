namespace LmCompare.Core.Generation;

/// <summary>
/// Picks the next id from natural-log probabilities: bans (&lt;s&gt;, optionally &lt;unk&gt;), repetition penalty,
/// then greedy, or temperature -&gt; top-k -&gt; top-p -&gt; a draw (the order Hugging Face's samplers apply them in).
/// Candidates are ranked by probability, then by id, so equal distributions give equal draws on every model.
/// </summary>
public sealed class TokenSampler(SamplingOptions options)
{
    private readonly Random _random = new(options.Seed);

    public SamplingOptions Options { get; } = options;

    /// <summary>The next id; <paramref name="history"/> (prompt and output so far) feeds the repetition penalty.</summary>
    public int Next(ReadOnlySpan<float> logProbs, ReadOnlySpan<int> history)
    {
        var support = Support(logProbs, history);
        if (support.Count == 0) return SpecialTokens.SentenceEndId; // everything banned: end the text
        if (Options.Greedy) return support[0].Id;
        double u = _random.NextDouble() * support.Sum(c => c.Weight);
        foreach (var (id, weight) in support)
        {
            u -= weight;
            if (u <= 0) return id;
        }
        return support[^1].Id;
    }

    private static int ByScoreThenId((int Id, double Score) a, (int Id, double Score) b) =>
        a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id);

    private static (int Id, double Score) Best(List<(int Id, double Score)> scored)
    {
        var best = scored[0];
        foreach (var c in scored) if (ByScoreThenId(c, best) < 0) best = c;
        return best;
    }

    /// <summary>The k best by (score, id) with a bounded min-heap: O(V log k) instead of sorting all V.</summary>
    private static List<(int Id, double Score)> Top(List<(int Id, double Score)> scored, int k)
    {
        var heap = new PriorityQueue<(int Id, double Score),
            (int Id, double Score)>(Comparer<(int Id, double Score)>.Create((a, b) => ByScoreThenId(b, a)));
        foreach (var c in scored)
        {
            if (heap.Count < k) heap.Enqueue(c, c);
            else if (ByScoreThenId(c, heap.Peek()) < 0) heap.EnqueueDequeue(c, c);
        }
        var top = new List<(int Id, double Score)>(k);
        while (heap.Count > 0) top.Add(heap.Dequeue());
        return top;
    }

    /// <summary>
    /// The ids that can be drawn with their (unnormalised) weights, most probable first: what greedy, top-k and top-p
    /// keep. Exposed for tests and for showing a distribution.
    /// </summary>
    public List<(int Id, double Weight)> Support(ReadOnlySpan<float> logProbs, ReadOnlySpan<int> history)
    {
        var penalised = new HashSet<int>();
        if (Options.RepetitionPenalty != 1) foreach (int id in history) penalised.Add(id);
        double temperature = Options.Greedy ? 1 : Options.Temperature;
        var scored = new List<(int Id, double Score)>(logProbs.Length);
        for (int id = 0; id < logProbs.Length; id++)
        {
            if (id == SpecialTokens.SentenceStartId || (Options.NoUnk && id == SpecialTokens.UnknownId)) continue;
            double lp = logProbs[id];
            if (double.IsNegativeInfinity(lp) || double.IsNaN(lp)) continue;
            if (penalised.Contains(id)) lp *= Options.RepetitionPenalty;
            scored.Add((id, lp / temperature));
        }
        if (scored.Count == 0) return [];
        if (Options.Greedy) return [(Best(scored).Id, 1.0)];
        scored = Options.TopK > 0 && scored.Count > Options.TopK ? Top(scored, Options.TopK) : scored;
        scored.Sort(ByScoreThenId);
        double max = scored[0].Score;
        var weights = scored.Select(c => (c.Id, Weight: Math.Exp(c.Score - max))).ToList();
        if (Options.TopP < 1)
        {
            double total = weights.Sum(w => w.Weight), mass = 0;
            int keep = 0;
            while (keep < weights.Count && mass < Options.TopP * total - 1e-12) mass += weights[keep++].Weight;
            weights.RemoveRange(Math.Max(1, keep), weights.Count - Math.Max(1, keep));
        }
        return weights;
    }
}
