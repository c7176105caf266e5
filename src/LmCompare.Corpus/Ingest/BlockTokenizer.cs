using System.Buffers;
using System.Text;
using LmCompare.Core;
using LmCompare.Corpus.Sources;

namespace LmCompare.Corpus.Ingest;

/// <summary>
/// One ingestion worker: decodes a block of UTF-8 bytes (invalid sequences become U+FFFD and are counted), splits it
/// into lines as <see cref="StreamReader.ReadLine"/> does ("\n", "\r\n" or "\r"), normalises each line, tokenises it
/// and gives every token a block-local id. Each worker has its own tokenizer, decoder and tables, so workers share
/// nothing; the ids become corpus-wide in <see cref="TokenizeStage"/>, in block order.
/// </summary>
internal sealed class BlockTokenizer(ITokenizer tokenizer, string format)
{
    private readonly CountingDecoderFallback _fallback = new();
    private readonly LineNormalizer _normalizer = new(format);
    private readonly TokenBuffer _tokens = new();
    private readonly SpanTable _interner = new();
    private Decoder? _decoder;
    private char[] _chars = [];

    /// <summary>Tokenises one block; <paramref name="documentStart"/> drops a byte-order mark at the start of a document.</summary>
    public TokenizedBlock Tokenize(ReadOnlySpan<byte> bytes, bool documentStart)
    {
        var text = Decode(bytes, out long invalid);
        if (documentStart && text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var ids = new Growable(bytes.Length / 4 + 64);
        var lineBytes = new Growable(bytes.Length / 64 + 16);
        while (!text.IsEmpty)
        {
            int end = text.IndexOfAny('\r', '\n');
            var line = end < 0 ? text : text[..end];
            text = end < 0 ? [] : text[(end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1))..];
            if (!_normalizer.TryNormalize(line, out var normalized)) continue;
            tokenizer.Tokenize(normalized, _tokens);
            for (int i = 0; i < _tokens.Count; i++) ids.Add(_interner.Intern(_tokens.Key(i)));
            ids.Add(TokenizedBlock.LineEnd);
            lineBytes.Add(Encoding.UTF8.GetByteCount(normalized) + 1); // + the newline that </s> stands for
        }
        return new TokenizedBlock
        {
            Ids = ids.Array, Count = ids.Count, LineBytes = lineBytes.Array, Lines = lineBytes.Count, Types = _interner.TakeTypes(),
            InvalidUtf8 = invalid, RawBytes = bytes.Length,
        };
    }

    /// <summary>Counts the lines normalisation keeps, without tokenising (to cut a single document into line blocks).</summary>
    public long CountLines(ReadOnlySpan<byte> bytes, bool documentStart)
    {
        var text = Decode(bytes, out _);
        if (documentStart && text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        long lines = 0;
        while (!text.IsEmpty)
        {
            int end = text.IndexOfAny('\r', '\n');
            var line = end < 0 ? text : text[..end];
            text = end < 0 ? [] : text[(end + 1)..]; // a "\r\n" gives a blank line here, which is not counted
            if (_normalizer.TryNormalize(line, out _)) lines++;
        }
        return lines;
    }

    private ReadOnlySpan<char> Decode(ReadOnlySpan<byte> bytes, out long invalid)
    {
        if (_decoder is null)
        {
            var encoding = (UTF8Encoding)new UTF8Encoding(false, false).Clone();
            encoding.DecoderFallback = _fallback;
            _decoder = encoding.GetDecoder();
        }
        if (_chars.Length < bytes.Length) _chars = new char[Math.Max(bytes.Length, _chars.Length * 2)];
        long before = _fallback.Replacements;
        // A block ends at a line break, so no sequence continues into the next block: decode it whole and flush.
        int count = _decoder.GetChars(bytes, _chars, flush: true);
        invalid = _fallback.Replacements - before;
        return _chars.AsSpan(0, count);
    }

    /// <summary>An int list in a rented array, handed over whole.</summary>
    private struct Growable(int capacity)
    {
        public int[] Array = ArrayPool<int>.Shared.Rent(capacity);
        public int Count;

        public void Add(int value)
        {
            if (Count == Array.Length)
            {
                var bigger = ArrayPool<int>.Shared.Rent(Array.Length * 2);
                Array.AsSpan().CopyTo(bigger);
                ArrayPool<int>.Shared.Return(Array);
                Array = bigger;
            }
            Array[Count++] = value;
        }
    }
}
