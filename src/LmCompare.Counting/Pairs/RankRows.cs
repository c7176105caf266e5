namespace LmCompare.Counting.Pairs;

/// <summary>
/// The rows one position's distribution is made of (the context word at each distance d, its mixture weight), with the
/// arithmetic of <see cref="PairProbabilities.AddDistance(int, int, double, Span{float})"/> for one id at a time: what
/// <see cref="PairDistanceModel.ScoreRanks"/> compares without writing the distribution out.
/// </summary>
internal sealed class RankRows
{
    private readonly PairProbabilities _p;
    private readonly int[] _u;
    private readonly long[] _row, _start;
    private readonly int[] _length;
    private readonly float[] _factor, _shift;
    private readonly double[] _weight;
    private readonly int _n;

    public RankRows(PairDistanceModel model, ReadOnlySpan<int> context)
    {
        _p = model.Probabilities;
        var w = model.MixtureWeightsOf(context);
        _n = w is null ? 0 : w.Length - 1;
        (_u, _row, _start, _length) = (new int[_n + 1], new long[_n + 1], new long[_n + 1], new int[_n + 1]);
        (_factor, _shift, _weight) = (new float[_n + 1], new float[_n + 1], new double[_n + 1]);
        double unigramWeight = w is null ? 1 : w[0];
        var t = _p.Tables;
        for (int d = 1; d <= _n; d++)
        {
            _u[d] = context[^d];
            _weight[d] = w![d];
            _row[d] = t.RowOf(_u[d], d);
            long total = t.RowTotal[_row[d]];
            if (total == 0) { unigramWeight += w[d]; continue; }
            double discount = _p.Discounts[d - 1];
            (_start[d], _length[d]) = t.Span(_row[d]);
            (_factor[d], _shift[d]) = ((float)(w[d] / total), (float)discount);
            unigramWeight += w[d] * discount * _length[d] / total;
        }
        Weight = (float)unigramWeight;
    }

    /// <summary>The P_uni coefficient, as the whole distribution applies it.</summary>
    public float Weight { get; }

    /// <summary>The id's value in the whole distribution, to the bit.</summary>
    public float Value(int v)
    {
        float sum = 0f;
        var entries = _p.Tables.Entries;
        for (int d = 1; d <= _n; d++)
        {
            if (_length[d] == 0) continue;
            int count = entries.CountOf(_row[d], _start[d], _length[d], v);
            if (count > 0) sum += _factor[d] * MathF.Max(count - _shift[d], 0f);
        }
        return (_p.UnigramSingle[v] * Weight) + sum;
    }

    /// <summary>The ids of every row's top-K list, row after row (with repeats).</summary>
    public List<int> TopIds(RankScratch scratch)
    {
        var ids = scratch.TopIds;
        ids.Clear();
        Span<int> top = stackalloc int[_p.Tables.TopK];
        for (int d = 1; d <= _n; d++)
        {
            if (_length[d] == 0) continue;
            _p.Tables.Entries.CopyTop(_row[d], top);
            foreach (int v in top) { if (v < 0) break; ids.Add(v); }
        }
        return ids;
    }

    /// <summary>At most what the rows add to an id outside every top-K list: per row, its K-th count's term (0 for a row
    /// whose successors all fit its list).</summary>
    public double Bound
    {
        get
        {
            double bound = 0;
            int k = _p.Tables.TopK;
            Span<int> top = stackalloc int[k];
            for (int d = 1; d <= _n; d++)
            {
                if (_length[d] <= k) continue;
                _p.Tables.Entries.CopyTop(_row[d], top);
                int last = _p.Tables.Entries.CountOf(_row[d], _start[d], _length[d], top[k - 1]);
                bound += (double)_factor[d] * Math.Max(last - _shift[d], 0);
            }
            return bound;
        }
    }

    /// <summary>
    /// Per top-list id, what bounds its value without a search in the rows it is not listed in: into
    /// <see cref="RankScratch.Upper"/> the rows' terms where it is listed (its exact count there), into
    /// <see cref="RankScratch.Listed"/> the part of <see cref="Bound"/> those rows stand for. An id's value is then at most
    /// P_uni part + Upper + (Bound - Listed).
    /// </summary>
    public void TopBounds(RankScratch scratch)
    {
        int k = _p.Tables.TopK;
        Span<int> top = stackalloc int[k];
        Span<int> counts = stackalloc int[k];
        for (int d = 1; d <= _n; d++)
        {
            if (_length[d] == 0) continue;
            _p.Tables.Entries.CopyTop(_row[d], top);
            int listed = 0;
            for (; listed < k && top[listed] >= 0; listed++) counts[listed] = _p.Tables.Entries.CountOf(_row[d], _start[d], _length[d], top[listed]);
            double rowBound = _length[d] > k ? (double)_factor[d] * Math.Max(counts[k - 1] - _shift[d], 0) : 0;
            for (int j = 0; j < listed; j++)
            {
                int v = top[j];
                if (scratch.Upper[v] == 0 && scratch.Listed[v] == 0) scratch.Bounded.Add(v);
                scratch.Upper[v] += (double)_factor[d] * Math.Max(counts[j] - _shift[d], 0);
                scratch.Listed[v] += rowBound;
            }
        }
    }

    /// <summary>Every row added into the scratch's values, as the whole distribution adds them.</summary>
    public void Accumulate(RankScratch scratch)
    {
        for (int d = 1; d <= _n; d++) _p.AddDistance(_u[d], d, _weight[d], scratch.Values, scratch.Touched);
    }
}

/// <summary>Per-thread buffers of the rank counts: row sums by id, the ids touched, which were counted, top-list ids.</summary>
internal sealed class RankScratch
{
    [ThreadStatic] private static RankScratch? _current;
    public float[] Values = [];
    public bool[] Marked = [];
    public double[] Upper = [], Listed = [];
    public readonly List<int> Touched = [];
    public readonly List<int> Bounded = [];
    public readonly List<int> TopIds = [];

    public static RankScratch For(int vocabulary)
    {
        var s = _current ??= new RankScratch();
        if (s.Values.Length < vocabulary)
            (s.Values, s.Marked, s.Upper, s.Listed) = (new float[vocabulary], new bool[vocabulary], new double[vocabulary], new double[vocabulary]);
        return s;
    }

    public void Reset()
    {
        foreach (int v in Touched) (Values[v], Marked[v]) = (0f, false);
        foreach (int v in Bounded) (Upper[v], Listed[v]) = (0, 0);
        Touched.Clear();
        Bounded.Clear();
    }
}
