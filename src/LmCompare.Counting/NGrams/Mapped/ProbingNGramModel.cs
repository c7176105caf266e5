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
    public const string FileName = ProbingFormat.FileName;
    public const string FormatName = "probing";

    private readonly MappedFile _file;
    private readonly long[] _slots, _offsets;
    private readonly int _order;
    private readonly string _path;
    private Task<bool> _verification = Task.FromResult(true);

    private ProbingNGramModel(MappedFile file, long[] slots, long[] offsets, int vocabulary, string path)
    {
        _path = path;
        _file = file;
        _slots = slots;
        _offsets = offsets;
        _order = slots.Length;
        Vocabulary = vocabulary;
    }

    public int Order => _order;
    public int Vocabulary { get; }
    public long Bytes => _file.Length;

    /// <summary>
    /// Maps <paramref name="path"/> after checking its length and header: made from the model file with
    /// <paramref name="sourceChecksum"/>, for these <paramref name="counts"/> and <paramref name="vocabulary"/>. The checksum of
    /// the whole file is verified on a background thread (hashing the file takes longer than opening it should:
    /// 0.1 s is the target at any size), so scoring starts at once; <see cref="EnsureIntact"/> waits for it, and every
    /// figure is reported only after it.
    /// </summary>
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
            var model = new ProbingNGramModel(file, slots, offsets, vocabulary, path);
            model._verification = Task.Run(model.Verify);
            return model;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the checksum of the whole file (started at open); throws when it does not match. Call it before
    /// reporting anything scored with the model.</summary>
    public void EnsureIntact()
    {
        if (!_verification.GetAwaiter().GetResult())
            throw new InputException($"{_path}: the probing file's checksum does not match (the file is damaged); rebuild the model");
    }

    private bool Verify()
    {
        long length = _file.Length;
        return _file.HashByReading(length - 8, new System.IO.Hashing.XxHash3()) == _file.At<ulong>(length - 8);
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
        for (long probes = 0; probes < slots; probes++)
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
        // every table keeps an empty slot: a probe that finds none runs over a damaged file
        throw new InputException($"{_path}: the {order}-gram table has no empty slot (the file is damaged); rebuild the model");
    }

    /// <summary>Asks for the cache line of the n-gram's home slot (the first slot <see cref="Find"/> reads).</summary>
    public void Prefetch(int order, int word, long context)
    {
        long slots = _slots[order - 1];
        long slot = ProbingFormat.Home(ProbingFormat.Key(word, (int)context), slots);
        _file.Prefetch(_offsets[order - 1] + slot * (order == _order ? 12 : 16));
    }

    public void Dispose()
    {
        _verification.Wait(); // the hash reads the mapping: unmap only after it
        _file.Dispose();
    }
}
