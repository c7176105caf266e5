using System.IO.Hashing;
using System.Runtime.CompilerServices;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// An n-gram model scored in place from <c>ngrams.probing</c> (<see cref="ProbingFormat"/>): opening maps the file and
/// checks its header, length and checksum; nothing is parsed or copied. A lookup is a probe of one order's table from the
/// key's home slot (<see cref="Find"/>); the scorer (<see cref="ContextStateScorer"/>) sums as KenLM's query does.
/// </summary>
public sealed class ProbingNGramModel : INGramLookup, IDisposable
{
    private readonly MappedFile _file;
    private readonly long[] _slots, _offsets;
    private readonly int _order;

    private ProbingNGramModel(MappedFile file, long[] slots, long[] offsets, int vocabulary)
    {
        _file = file;
        _slots = slots;
        _offsets = offsets;
        _order = slots.Length;
        Vocabulary = vocabulary;
    }

    public int Order => _order;
    public int Vocabulary { get; }
    public long Bytes => _file.Length;

    /// <summary>Maps <paramref name="path"/> after checking it was made from the model file with
    /// <paramref name="sourceChecksum"/> for these <paramref name="counts"/> and <paramref name="vocabulary"/>.</summary>
    public static ProbingNGramModel Open(string path, long[] counts, int vocabulary, ulong sourceChecksum)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: the model's probing file is missing; rebuild the model");
        var (slots, offsets, length) = ProbingFormat.Layout(counts, vocabulary);
        var file = new MappedFile(path);
        try
        {
            if (file.Length != length)
                throw new InputException($"{path}: the probing file is truncated or damaged ({file.Length:N0} bytes, expected {length:N0}); " +
                    "rebuild the model");
            if (!file.Bytes(0, ProbingFormat.HeaderBytes).SequenceEqual(ProbingFormat.Header(counts, vocabulary, sourceChecksum)))
                throw new InputException($"{path}: the probing file belongs to another build or version (header); rebuild the model");
            var hash = new XxHash64();
            for (long at = 0; at < length - 8; at += 1 << 30) hash.Append(file.Bytes(at, (int)Math.Min(1 << 30, length - 8 - at)));
            if (hash.GetCurrentHashAsUInt64() != file.At<ulong>(length - 8))
                throw new InputException($"{path}: the probing file's checksum does not match (the file is damaged); rebuild the model");
            return new ProbingNGramModel(file, slots, offsets, vocabulary);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The unigram of <paramref name="word"/> (NaN probability when it has none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public UnigramEntry Unigram(int word) =>
        (uint)word < (uint)Vocabulary ? _file.At<UnigramEntry>(_offsets[0] + 8L * word) : new UnigramEntry(float.NaN, 0f);

    /// <summary>The unigram's slot is its word id (-1 without one).</summary>
    public long FindUnigram(int word, out float prob, out float backoff)
    {
        var unigram = Unigram(word);
        (prob, backoff) = (unigram.Prob, unigram.Backoff);
        return float.IsNaN(prob) ? -1 : word;
    }

    /// <summary>The slot of the n-gram of <paramref name="order"/> (2 and up) with this word and context slot (<paramref name="context"/>), or -1;
    /// its log10 p and (below the top order) log10 backoff.</summary>
    public long Find(int order, int word, long context, out float prob, out float backoff)
    {
        ulong key = ProbingFormat.Key(word, (int)context);
        long slots = _slots[order - 1], offset = _offsets[order - 1];
        long slot = ProbingFormat.Home(key, slots);
        bool top = order == _order;
        while (true)
        {
            ulong at = _file.At<ulong>(offset + slot * (top ? 12 : 16));
            if (at == key)
            {
                if (top) { prob = _file.At<TopEntry>(offset + slot * 12).Prob; backoff = 0f; }
                else { ref readonly var e = ref _file.At<MiddleEntry>(offset + slot * 16); prob = e.Prob; backoff = e.Backoff; }
                return slot;
            }
            if (at == ProbingFormat.Empty) { prob = backoff = 0f; return -1; }
            slot = slot + 1 == slots ? 0 : slot + 1;
        }
    }

    public void Dispose() => _file.Dispose();
}
