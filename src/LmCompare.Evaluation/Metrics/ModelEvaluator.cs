using System.Diagnostics;
using LmCompare.Core;

namespace LmCompare.Evaluation.Metrics;

/// <summary>A mixture to evaluate next to its components: indexes into the model list, a (the first one's weight) and the
/// validation positions a was fitted on.</summary>
public sealed record MixtureSpec(int First, int Second, double Weight, long FittedOnTokens = 0);

/// <summary>One model's sums over a split in one scope, overall and per context-novelty bucket k.</summary>
public sealed class ScopeScores(string name)
{
    public string Name { get; } = name;
    public PerplexityMeter Overall { get; } = new();
    public PerplexityMeter[] ByNovelty { get; } = Enumerable.Range(0, Analysis.ContextNoveltyAnalysis.MaxK + 1).Select(_
        => new PerplexityMeter()).ToArray();
    /// <summary>Seconds spent inside the model's scoring calls (for a mixture: both components').</summary>
    public double Seconds { get; internal set; }
}

/// <summary>
/// Scores every model on the same positions in lockstep, one span (a line or a document) and at most
/// <see cref="ChunkPositions"/> positions at a time: each model returns its scores and, for accuracy, its whole
/// next-token distributions (<see cref="ILanguageModel.ScoreDistributions"/>), so a mixture is formed from its
/// components' outputs without running them again. A model that ranks the target without a distribution
/// (<see cref="IRankedScoring"/>) does so where no mixture needs its distribution. Where no distribution is written
/// (ranks or log-probabilities only) and the model <see cref="ILanguageModel.ScoresConcurrently"/>, it scores
/// <see cref="ConcurrentItems"/> items at once on every core; the sums are then made item by item in split order, so
/// every figure is the same to the bit as scored one item at a time. It knows nothing about how any model works inside.
/// </summary>
public sealed class ModelEvaluator(IProgress<ProgressReport>? progress = null)
{
    public const int ChunkPositions = 256;

    /// <summary>Ranks matter only below this: top-1 and top-5 accuracy.</summary>
    public const int RankCap = 5;

    /// <summary>Work items scored at once, on every core, by a model that <see cref="ILanguageModel.ScoresConcurrently"/>.</summary>
    public const int ConcurrentItems = 32;

    public IReadOnlyList<ScopeScores> Run(IReadOnlyList<ILanguageModel> models, IReadOnlyList<MixtureSpec> mixtures, int[] tokens,
        DocumentIndex documents, EvaluationScope scope, byte[]? novelty, bool withRanks)
    {
        if (models.Count == 0) return [];
        int v = models[0].Vocabulary.Count;
        var scores = models.Select(m => new ScopeScores(m.Name))
            .Concat(mixtures.Select(x => new ScopeScores(MixtureModel.NameOf(models[x.First].Name, models[x.Second].Name)))).ToArray();
        var mixed = new HashSet<int>(mixtures.SelectMany(x => new[] { x.First, x.Second }));
        var ranked = models.Select((m, i) => withRanks && m is IRankedScoring && !mixed.Contains(i)).ToArray();
        // several items at once where no distribution is written (ranks or log-probabilities only) and the model allows it
        var concurrent = models.Select((m, i) => Environment.ProcessorCount > 1 && m.ScoresConcurrently && (ranked[i] || !withRanks)).ToArray();
        int batch = concurrent.Contains(true) ? ConcurrentItems : 1;
        var logProbs = models.Select((_, i) => Buffers<double>(concurrent[i] ? batch : 1, ChunkPositions)).ToArray();
        var ranks = models.Select((_, i) => Buffers<int>(concurrent[i] ? batch : 1, ranked[i] ? ChunkPositions : 0)).ToArray();
        var distributions = withRanks ? models.Select((_, i) => ranked[i] ? [] : new float[ChunkPositions * v]).ToArray() : [];
        var mixture = withRanks && mixtures.Count > 0 ? new float[v] : [];
        var (itemLogProbs, itemRanks) = (new double[models.Count][], new int[models.Count][]); // each model's buffers of one item
        long done = 0;
        foreach (var items in Batches(WorkItems(tokens, documents, scope, ChunkPositions), batch))
        {
            for (int m = 0; m < models.Count; m++)
            {
                if (!concurrent[m]) continue;
                var clock = Stopwatch.StartNew();
                int model = m;
                Parallel.For(0, items.Count, b => ScoreItem(items[b], models[model], ranked[model], tokens, logProbs[model][b], ranks[model][b], []));
                scores[m].Seconds += clock.Elapsed.TotalSeconds;
            }
            for (int b = 0; b < items.Count; b++)
            {
                var work = items[b];
                for (int m = 0; m < models.Count; m++)
                {
                    (itemLogProbs[m], itemRanks[m]) = (logProbs[m][concurrent[m] ? b : 0], ranks[m][concurrent[m] ? b : 0]);
                    if (concurrent[m]) continue;
                    var clock = Stopwatch.StartNew();
                    ScoreItem(work, models[m], ranked[m], tokens, itemLogProbs[m], itemRanks[m], withRanks ? distributions[m] : []);
                    scores[m].Seconds += clock.Elapsed.TotalSeconds;
                }
                done += Aggregate(work.Positions(), models, mixtures, tokens, novelty, withRanks, ranked, distributions, mixture, scores,
                    itemLogProbs, itemRanks);
                progress?.Report(new ProgressReport($"score ({ScoringUnits.Label(scope)})", done, tokens.Length, "tokens"));
            }
        }
        for (int x = 0; x < mixtures.Count; x++)
            scores[models.Count + x].Seconds = scores[mixtures[x].First].Seconds + scores[mixtures[x].Second].Seconds;
        return scores;
    }

    private static T[][] Buffers<T>(int count, int length) => Enumerable.Range(0, count).Select(_ => new T[length]).ToArray();

    private static IEnumerable<List<WorkItem>> Batches(IEnumerable<WorkItem> items, int size)
    {
        var batch = new List<WorkItem>(size);
        foreach (var item in items)
        {
            batch.Add(item);
            if (batch.Count == size) { yield return batch; batch = new List<WorkItem>(size); }
        }
        if (batch.Count > 0) yield return batch;
    }

    private static void ScoreItem(WorkItem work, ILanguageModel model, bool ranked, int[] tokens, double[] logProbs, int[] ranks,
        float[] distributions)
    {
        if (ranked) work.ScoreRanks((IRankedScoring)model, tokens, logProbs, ranks);
        else work.Score(model, tokens, logProbs, distributions);
    }

    /// <summary>One item's positions into the sums, model by model and mixture by mixture, in split order (so the sums are
    /// the same however the items were scored); returns the positions added.</summary>
    private static int Aggregate(List<int> positions, IReadOnlyList<ILanguageModel> models, IReadOnlyList<MixtureSpec> mixtures, int[] tokens,
        byte[]? novelty, bool withRanks, bool[] ranked, float[][] distributions, float[] mixture, ScopeScores[] scores,
        double[][] logProbs, int[][] ranks)
    {
        int v = models[0].Vocabulary.Count;
        for (int p = 0; p < positions.Count; p++)
        {
            int target = tokens[positions[p]];
            int k = novelty is null ? -1 : novelty[positions[p]];
            for (int m = 0; m < models.Count; m++)
            {
                int rank = ranked[m] ? ranks[m][p] : withRanks ? RankOf(distributions[m].AsSpan(p * v, v), target) : -1;
                Add(scores[m], k, target, logProbs[m][p], rank);
            }
            for (int x = 0; x < mixtures.Count; x++)
            {
                var mix = mixtures[x];
                double lp = MixtureModel.CombineLog(mix.Weight, logProbs[mix.First][p], logProbs[mix.Second][p]);
                int rank = -1;
                if (withRanks)
                {
                    MixtureModel.Combine(mix.Weight, distributions[mix.First].AsSpan(p * v, v), distributions[mix.Second].AsSpan(p * v, v),
                        mixture);
                    rank = RankOf(mixture, target);
                }
                Add(scores[models.Count + x], k, target, lp, rank);
            }
        }
        return positions.Count;
    }

    /// <summary>ln p of each position (in split order) of the first whole spans holding up to <paramref name="maxTokens"/> tokens.</summary>
    public static double[] LogProbs(ILanguageModel model, int[] tokens, DocumentIndex documents, EvaluationScope scope,
        long maxTokens = long.MaxValue)
    {
        var result = new List<double>();
        var buffer = new double[4096];
        foreach (var work in WorkItems(tokens, documents, scope, buffer.Length))
        {
            if (result.Count >= maxTokens) break;
            work.Score(model, tokens, buffer, []);
            result.AddRange(buffer.AsSpan(0, work.Count));
        }
        return [.. result];
    }

    /// <summary>
    /// One call's worth of positions: whole short spans scored together from their starts (<see cref="ILanguageModel.ScoreBatch"/>),
    /// or positions [From, To) of one long span with its earlier tokens as history.
    /// </summary>
    private sealed record WorkItem(List<(int Start, int End)> Spans, int From, int To)
    {
        public int Count => Spans.Count == 1 && From >= 0 ? To - From : Spans.Sum(s => s.End - s.Start);

        public void Score(ILanguageModel model, int[] tokens, Span<double> logProbs, Span<float> probabilities)
        {
            if (From >= 0)
            {
                var span = tokens.AsSpan(Spans[0].Start, To);
                if (probabilities.IsEmpty) model.Score(span, From, logProbs);
                else model.ScoreDistributions(span, From, logProbs, probabilities);
                return;
            }
            var spans = Spans.Select(s => (ReadOnlyMemory<int>)tokens.AsMemory(s.Start, s.End - s.Start)).ToList();
            model.ScoreBatch(spans, logProbs, probabilities);
        }

        public void ScoreRanks(IRankedScoring model, int[] tokens, Span<double> logProbs, Span<int> ranks)
        {
            if (From >= 0)
            {
                model.ScoreRanks(tokens.AsSpan(Spans[0].Start, To), From, logProbs, ranks, RankCap);
                return;
            }
            int at = 0;
            foreach (var (start, end) in Spans)
            {
                int n = end - start;
                model.ScoreRanks(tokens.AsSpan(start, n), 0, logProbs.Slice(at, n), ranks.Slice(at, n), RankCap);
                at += n;
            }
        }

        public List<int> Positions() => From >= 0
            ? Enumerable.Range(Spans[0].Start + From, To - From).ToList()
            : Spans.SelectMany(s => Enumerable.Range(s.Start, s.End - s.Start)).ToList();
    }

    /// <summary>Packs the scope's spans into calls of at most <paramref name="limit"/> positions.</summary>
    private static IEnumerable<WorkItem> WorkItems(int[] tokens, DocumentIndex documents, EvaluationScope scope, int limit)
    {
        var batch = new List<(int, int)>();
        int batched = 0;
        foreach (var (start, end) in ScoringUnits.Of(tokens, documents, scope))
        {
            int length = end - start;
            if (length > limit)
            {
                for (int a = 0; a < length; a += limit) yield return new WorkItem([(start, end)], a, Math.Min(a + limit, length));
                continue;
            }
            if (batched + length > limit) { yield return new WorkItem(batch, -1, -1); batch = []; batched = 0; }
            batch.Add((start, end));
            batched += length;
        }
        if (batch.Count > 0) yield return new WorkItem(batch, -1, -1);
    }

    private static int RankOf(ReadOnlySpan<float> distribution, int target) => PerplexityMeter.CountGreater(distribution, distribution[target]);

    /// <param name="k">The position's novelty bucket, or -1 when buckets are not measured.</param>
    private static void Add(ScopeScores scores, int k, int target, double logProb, int rank)
    {
        scores.Overall.Add(target, logProb, rank);
        if (k >= 0) scores.ByNovelty[k].Add(target, logProb, rank);
    }
}
