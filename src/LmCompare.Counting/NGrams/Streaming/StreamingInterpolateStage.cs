namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// Stage <b>interpolate</b> as a stream, order by order from the unigrams up (Heafield et al. 2013, section 3.4): order
/// k's records in suffix order meet order k - 1's interpolated probabilities in the same order (an n-gram's suffix is a
/// prefix of its key, so one forward walk finds each) and order k's backoffs by index. Yields every n-gram's store record;
/// its index is its position in suffix order, its context's index that of its context in the order below. Each order is
/// read from its adjusted records (key, count) and, beside them, its initial values.
/// </summary>
public sealed class StreamingInterpolateStage(string directory, int order, Discount[] discounts, long[] ngramCounts, long unigramSum,
    long[] unigramByCount)
{
    /// <summary>Order k's interpolated probabilities (one float per n-gram of <see cref="StreamingAdjustStage.AdjustedPath"/>,
    /// record for record), which the order above reads beside those records' keys.</summary>
    private string LinearPath(int k) => Path.Combine(directory, $"linear-{k}.bin");

    public IEnumerable<(long Key, NGramRecord Record)> Records()
    {
        for (int k = 1; k <= order; k++)
        {
            using var input = new RecordReader(StreamingAdjustStage.AdjustedPath(directory, k), k + 2);
            using var values = k == 1 ? null : new RecordReader(StreamingInitialStage.InitialPath(directory, k), 3);
            using var lowerKeys = k == 1 ? null : new RecordReader(StreamingAdjustStage.AdjustedPath(directory, k - 1), k + 1);
            using var lowerProbabilities = k == 1 ? null : new RecordReader(LinearPath(k - 1), 1);
            using var backoffs = k == order ? null : new RecordReader(StreamingInitialStage.BackoffPath(directory, k), 2);
            using var linear = k == order ? null : new RecordWriter(LinearPath(k) + ".tmp", 1);
            var walk = new Walk(k, discounts[k - 1], lowerKeys, lowerProbabilities, backoffs, linear, UnigramValues());
            for (long i = 0; input.MoveNext(); i++)
            {
                if (values is not null && !values.MoveNext())
                    throw new InvalidDataException($"a {k}-gram has no initial values (the estimate's files are damaged)");
                yield return (NGramRecord.Key(k, i), walk.Next(input.Current, values is null ? default : values.Current, i));
            }
            linear?.Dispose();
            if (linear is not null) File.Move(LinearPath(k) + ".tmp", LinearPath(k), overwrite: true);
            if (k >= 2) File.Delete(LinearPath(k - 1));
        }
    }

    private (float Denominator, float Gamma, float Uniform) UnigramValues()
    {
        var (denominator, gamma) = InitialStage.ContextValues(unigramSum, unigramByCount, discounts[0]);
        return (denominator, gamma, InterpolateStage.Uniform(ngramCounts[0]));
    }

    /// <summary>One order's forward walk.</summary>
    private sealed class Walk(int k, Discount discount, RecordReader? lowerKeys, RecordReader? lowerProbabilities, RecordReader? backoffs,
        RecordWriter? linear, (float Denominator, float Gamma, float Uniform) unigram)
    {
        private bool _lowerStarted, _backoffLoaded, _backoffsEnded;

        /// <summary>The store record of the n-gram <paramref name="record"/> (key, adjusted count) with its initial
        /// <paramref name="values"/> (initial, gamma, context index; none for unigrams).</summary>
        public NGramRecord Next(ReadOnlySpan<int> record, ReadOnlySpan<int> values, long index)
        {
            long count = SuffixKey.GetLong(record, k);
            float initial, gamma, below;
            int context = 0;
            if (k == 1)
            {
                (initial, gamma, below) = (InitialStage.Initial(discount, count, unigram.Denominator), unigram.Gamma, unigram.Uniform);
            }
            else
            {
                (initial, gamma, context) = (SuffixKey.GetFloat(values, 0), SuffixKey.GetFloat(values, 1), values[2]);
                below = Lower(record[..(k - 1)]);
            }
            float p = InterpolateStage.Probability(initial, gamma, below);
            if (linear is not null) SuffixKey.SetFloat(linear.Next(), 0, p);
            return new NGramRecord(context, record[0], count, InterpolateStage.Log10Prob(p, k, record[k - 1]), Backoff(index));
        }

        /// <summary>The interpolated probability of the n-gram's suffix, walking order k - 1 forward to it.</summary>
        private float Lower(ReadOnlySpan<int> suffix)
        {
            if (!_lowerStarted) { _lowerStarted = true; if (!Advance()) throw Damaged(); }
            while (!lowerKeys!.Current[..(k - 1)].SequenceEqual(suffix))
                if (!Advance()) throw Damaged();
            return SuffixKey.GetFloat(lowerProbabilities!.Current, 0);
        }

        /// <summary>The next n-gram of order k - 1: its key and its probability, side by side.</summary>
        private bool Advance()
        {
            bool key = lowerKeys!.MoveNext(), probability = lowerProbabilities!.MoveNext();
            return key == probability ? key : throw Damaged();
        }

        private float Backoff(long index)
        {
            if (backoffs is null || _backoffsEnded) return 0f;
            if (!_backoffLoaded && !(_backoffLoaded = backoffs.MoveNext())) { _backoffsEnded = true; return 0f; }
            if (backoffs.Current[0] != index) return 0f;
            _backoffLoaded = false;
            return SuffixKey.GetFloat(backoffs.Current, 1);
        }

        private InvalidDataException Damaged() =>
            new($"a {k}-gram's suffix is missing from the {k - 1}-grams (the estimate's files are damaged)");
    }
}
