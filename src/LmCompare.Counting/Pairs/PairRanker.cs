namespace LmCompare.Counting.Pairs;

/// <summary>
/// The target's log-probability and rank at one position without writing the distribution out, the rank equal to the
/// one counted in the whole distribution (<see cref="PairDistanceModel.NextTokenProbabilities(ReadOnlySpan{int}, Span{float})"/>:
/// an id's value is its row terms c_d(u, v) summed in single precision distance by distance, plus the P_uni part).
/// <para>
/// Every id the position's rows list (<see cref="PairTables.TopList"/>: a row's K most frequent with their counts, or all
/// of a shorter row) is a candidate. Where a candidate is not listed in a row of more than K successors its count there
/// is at most that list's K-th, so its value lies between the listed terms and those plus the rows' K-th terms; only a
/// candidate the two bounds leave undecided is searched for in those rows. An id listed nowhere is worth at most
/// P_uni part + the sum of every row's K-th term (<see cref="_bound"/>): the ids by decreasing P_uni are checked until
/// that cannot beat the target. When that takes more than <see cref="ScanLimit"/> ids, the rows are added up whole.
/// </para>
/// <para>
/// The target's own counts come from the same lists where they hold it, so a row is searched for the target only when it
/// is long and does not list it. Rows lie far apart in the tables: each row's list and first search probe are prefetched
/// before any is read, and the index lines of the next position's newest word (this target) one position ahead.
/// </para>
/// One per thread (its arrays are sized by the vocabulary); not for concurrent use.
/// </summary>
internal sealed class PairRanker
{
    private const int ScanLimit = 64;
    [ThreadStatic] private static PairRanker? _current;

    private PairDistanceModel _model = null!;
    private PairProbabilities _p = null!;
    private PairTables _t = null!;
    private int _topK;

    // the position's rows, d = 1.._n (_ranked of them in the value: 0 when the mixture weights sum to 0)
    private int _n, _ranked;
    private double[] _lambdas = [];
    private readonly int[] _u = new int[PairKey.MaxDistance + 1], _length = new int[PairKey.MaxDistance + 1];
    private readonly long[] _row = new long[PairKey.MaxDistance + 1], _start = new long[PairKey.MaxDistance + 1];
    private readonly long[] _total = new long[PairKey.MaxDistance + 1];
    private readonly float[] _factor = new float[PairKey.MaxDistance + 1], _shift = new float[PairKey.MaxDistance + 1];
    private readonly double[] _weight = new double[PairKey.MaxDistance + 1], _tail = new double[PairKey.MaxDistance + 1];
    private readonly int[] _targetCount = new int[PairKey.MaxDistance + 1];
    private float _unigramWeight; // the P_uni coefficient, as the whole distribution applies it
    private double _bound; // at most what the rows add to an id listed in none of them

    // candidates 1.._candidateCount: per id its number (0: none); per candidate its id, the terms of its listed counts and
    // the part of _bound (K-th terms) of the long rows that list it
    private int[] _slot = [];
    private int[] _candidates = new int[256];
    private int _candidateCount;
    private double[] _listed = new double[256], _covered = new double[256];

    // the whole-row count
    private float[] _values = [];
    private bool[] _marked = [];
    private readonly List<int> _touched = [];

    public static PairRanker For(PairDistanceModel model)
    {
        var r = _current ??= new PairRanker();
        int v = model.Vocabulary.Count;
        if (r._slot.Length < v) r._slot = new int[v];
        (r._model, r._p, r._t, r._topK) = (model, model.Probabilities, model.Probabilities.Tables, model.Probabilities.Tables.TopK);
        return r;
    }

    /// <summary>ln P(target | context) and the number of ids above the target, capped at <paramref name="cap"/>.</summary>
    public (double LogProb, int Rank) Rank(ReadOnlySpan<int> context, int target, int cap)
    {
        PrefetchRowsOf(target);
        Begin(context);
        CollectCandidates(target);
        double probability = TargetProbability(target);
        float value = ExactValue(target, _targetCount);
        int? rank = ListRank(target, value, cap);
        for (int c = 1; c <= _candidateCount; c++) _slot[_candidates[c]] = 0;
        _candidateCount = 0;
        return (Math.Log(probability), rank ?? RowRank(target, value, cap));
    }

    /// <summary>The index lines of the rows of <paramref name="u"/>: the next position's newest context word is this
    /// position's target, so they are asked for one position ahead.</summary>
    private void PrefetchRowsOf(int u)
    {
        long row = _t.RowOf(u, 1);
        _t.RowStart.Prefetch(row);
        _t.RowStart.Prefetch(row + _t.Distances);
        _t.RowTotal.Prefetch(row);
    }

    /// <summary>The rows of the context and their weights, with the arithmetic of the whole distribution
    /// (<see cref="PairDistanceModel.NextTokenProbabilities(ReadOnlySpan{int}, Span{float})"/>: the lambdas of the bucket divided
    /// by their sum, each row's factor and its share of the P_uni coefficient as <see cref="PairProbabilities.AddDistance(int, int,
    /// double, Span{float})"/> computes them).</summary>
    private void Begin(ReadOnlySpan<int> context)
    {
        _n = Math.Min(context.Length, _t.Distances);
        double denominator = 0;
        if (_n > 0)
        {
            _lambdas = _model.Lambdas.For(_t.RowTotal[_t.RowOf(context[^1], 1)]);
            denominator = _lambdas[0];
            for (int d = 1; d <= _n; d++) denominator += _lambdas[d];
        }
        _ranked = denominator > 0 ? _n : 0;
        double unigramWeight = _ranked > 0 ? _lambdas[0] / denominator : 1;
        for (int d = 1; d <= _n; d++)
        {
            _u[d] = context[^d];
            _row[d] = _t.RowOf(_u[d], d);
            _total[d] = _t.RowTotal[_row[d]];
            (_start[d], _length[d]) = _t.Span(_row[d]);
            if (_length[d] > 0) _t.Entries.Prefetch(_start[d], _length[d], _length[d] > _topK ? _t.TopSlot(_row[d]) : -1);
            _tail[d] = 0;
            if (_ranked == 0) continue;
            _weight[d] = _lambdas[d] / denominator;
            if (_total[d] == 0) { unigramWeight += _weight[d]; continue; }
            double discount = _p.Discounts[d - 1];
            (_factor[d], _shift[d]) = ((float)(_weight[d] / _total[d]), (float)discount);
            unigramWeight += _weight[d] * discount * _length[d] / _total[d];
        }
        _unigramWeight = (float)unigramWeight;
        _bound = 0;
    }

    /// <summary><see cref="PairDistanceModel.Probability"/> of the target, its counts (into _targetCount, for the value too)
    /// taken from the rows' lists where they hold it (<see cref="CollectCandidates"/>), else searched for in the rows.</summary>
    private double TargetProbability(int v)
    {
        var unigram = _p.Unigram;
        if (_n == 0) return unigram[v];
        for (int d = 1; d <= _n; d++)
            if (_targetCount[d] < 0) _targetCount[d] = _length[d] == 0 ? 0 : _t.Entries.CountOf(_row[d], _start[d], _length[d], v);
        double numerator = _lambdas[0] * unigram[v], denominator = _lambdas[0];
        for (int d = 1; d <= _n; d++)
        {
            numerator += _lambdas[d] * (_total[d] == 0 ? unigram[v] : _p.Distance(_total[d], _length[d], _targetCount[d], d, v));
            denominator += _lambdas[d];
        }
        return denominator > 0 ? numerator / denominator : unigram[v];
    }

    /// <summary>An id's value in the whole distribution, to the bit, from its count in each row (<paramref name="counts"/>[d]).</summary>
    private float ExactValue(int v, ReadOnlySpan<int> counts)
    {
        float sum = 0f;
        for (int d = 1; d <= _ranked; d++)
        {
            int count = counts[d];
            if (_length[d] > 0 && count > 0) sum += _factor[d] * MathF.Max(count - _shift[d], 0f);
        }
        return (_p.UnigramSingle[v] * _unigramWeight) + sum;
    }

    /// <summary>The rank among the rows' listed ids and the others by P_uni; null when the P_uni scan would run long.</summary>
    private int? ListRank(int target, float value, int cap)
    {
        int count = 0;
        for (int s = 1; s <= _candidateCount && count < cap; s++)
            if (_candidates[s] != target && CandidateBeats(_candidates[s], s, value)) count++;
        var unigram = _p.UnigramSingle;
        int scanned = 0;
        foreach (int v in _p.UnigramOrder)
        {
            if (count >= cap || Beaten(unigram[v] * (double)_unigramWeight + _bound, value)) break;
            if (++scanned > ScanLimit) return null;
            if (_slot[v] == 0 && v != target && UnlistedBeats(v, value)) count++;
        }
        return Math.Min(count, cap);
    }

    /// <summary>Every id of the rows' lists as a candidate (the target too: it is skipped when counting), with the sum of
    /// the terms its listed counts give; each long row's K-th term into _tail and _bound. The target's count in each
    /// row goes to _targetCount where a list settles it (it lists the target, or it is the whole row), else -1.</summary>
    private void CollectCandidates(int target)
    {
        for (int d = 1; d <= _n; d++) _targetCount[d] = -1;
        for (int d = 1; d <= _ranked; d++)
        {
            if (_length[d] == 0) continue;
            using var list = _t.TopList(_row[d], _start[d], _length[d]);
            var e = list.Entries;
            bool listsAll = _length[d] <= _topK;
            if (!listsAll) _bound += _tail[d] = Term(d, e[^1]);
            double tail = _tail[d], factor = _factor[d];
            float shift = _shift[d];
            EnsureCandidates(_candidateCount + e.Length / PairEntries.Stride);
            for (int i = 0; i < e.Length; i += PairEntries.Stride)
            {
                int v = e[i];
                if (v == target) _targetCount[d] = e[i + 1];
                int s = _slot[v];
                if (s == 0) // first met: a new candidate (1-based)
                {
                    s = _slot[v] = ++_candidateCount;
                    (_candidates[s], _listed[s], _covered[s]) = (v, 0, 0);
                }
                _listed[s] += factor * Math.Max(e[i + 1] - shift, 0);
                _covered[s] += tail;
            }
            if (listsAll && _targetCount[d] < 0) _targetCount[d] = 0;
        }
    }

    private void EnsureCandidates(int count)
    {
        if (count < _candidates.Length) return;
        int size = Math.Max(2 * _candidates.Length, count + 1);
        Array.Resize(ref _candidates, size);
        Array.Resize(ref _listed, size);
        Array.Resize(ref _covered, size);
    }

    /// <summary>What a count in row d adds to an id's value (in double: for bounds).</summary>
    private double Term(int d, int count) => (double)_factor[d] * Math.Max(count - _shift[d], 0);

    /// <summary>Whether candidate <paramref name="s"/> is above the target: by its bounds where they decide (at least its
    /// listed terms; at most those plus the K-th terms of the long rows that do not list it), else by its value with
    /// every row searched.</summary>
    private bool CandidateBeats(int v, int s, float value)
    {
        double lower = _p.UnigramSingle[v] * (double)_unigramWeight + _listed[s];
        if (Beaten(lower + (_bound - _covered[s]), value)) return false;
        if (Above(lower, value)) return true;
        return SearchedValue(v) > value;
    }

    /// <summary>The id's exact value with its count searched in every row.</summary>
    private float SearchedValue(int v)
    {
        Span<int> counts = stackalloc int[_ranked + 1];
        for (int d = 1; d <= _ranked; d++) counts[d] = _length[d] == 0 ? 0 : _t.Entries.CountOf(_row[d], _start[d], _length[d], v);
        return ExactValue(v, counts);
    }

    /// <summary>Whether an id listed in no row is above the target: it has no count in the short rows, at most the K-th
    /// in the long ones.</summary>
    private bool UnlistedBeats(int v, float value)
    {
        double lower = _p.UnigramSingle[v] * (double)_unigramWeight;
        if (_bound == 0) return (_p.UnigramSingle[v] * _unigramWeight) + 0f > value;
        return Above(lower, value) || SearchedValue(v) > value;
    }

    /// <summary>Whether an id whose value is at most <paramref name="upper"/> cannot beat <paramref name="value"/>: the bound
    /// inflated by more than the single-precision sums that make the value could round up (n + 3 roundings of 2^-24).</summary>
    private static bool Beaten(double upper, float value) => upper * (1 + 1e-5) + 1e-30 <= value;

    /// <summary>Whether an id whose value is at least <paramref name="lower"/> surely beats <paramref name="value"/>.</summary>
    private static bool Above(double lower, float value) => lower * (1 - 1e-5) - 1e-30 > value;

    /// <summary>The rank over every id the rows hold, then the others by P_uni alone (their rows add nothing).</summary>
    private int RowRank(int target, float value, int cap)
    {
        int v0 = _slot.Length; // the rare fallback's buffers, on first use
        if (_values.Length < v0) (_values, _marked) = (new float[v0], new bool[v0]);
        for (int d = 1; d <= _ranked; d++) _p.AddDistance(_u[d], d, _weight[d], _values, _touched);
        var unigram = _p.UnigramSingle;
        int count = 0;
        foreach (int v in _touched)
        {
            if (_marked[v] || v == target) continue;
            _marked[v] = true;
            if ((unigram[v] * _unigramWeight) + _values[v] > value) count++;
        }
        foreach (int v in _p.UnigramOrder)
        {
            if (count >= cap || !((unigram[v] * _unigramWeight) + 0f > value)) break;
            if (!_marked[v] && v != target) count++;
        }
        foreach (int v in _touched) (_values[v], _marked[v]) = (0f, false);
        _touched.Clear();
        return Math.Min(count, cap);
    }
}
