using System.Buffers.Binary;

namespace LmCompare.Core;

/// <summary>
/// Where documents start in a split's token file: <c>&lt;split&gt;.docs</c> holds little-endian int64 token offsets,
/// one per document, followed by the total token count. Models that must not count across documents
/// (the pair-distance model) read it; document i covers [Starts[i], Starts[i+1]).
/// </summary>
public sealed class DocumentIndex
{
    private readonly long[] _bounds;

    public DocumentIndex(long[] bounds)
    {
        if (bounds.Length == 0 || bounds[0] != 0) throw new ArgumentException("document bounds must start at 0", nameof(bounds));
        for (int i = 1; i < bounds.Length; i++)
            if (bounds[i] < bounds[i - 1]) throw new ArgumentException("document bounds must not decrease", nameof(bounds));
        _bounds = bounds;
    }

    public int Documents => _bounds.Length - 1;

    public long TotalTokens => _bounds[^1];

    /// <summary>The token range [start, end) of document <paramref name="index"/>.</summary>
    public (long Start, long End) this[int index] => (_bounds[index], _bounds[index + 1]);

    public void Save(string path)
    {
        var bytes = new byte[_bounds.Length * sizeof(long)];
        for (int i = 0; i < _bounds.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), _bounds[i]);
        File.WriteAllBytes(path, bytes);
    }

    public static DocumentIndex Load(string path, long expectedTokens)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: document index not found");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8 || bytes.Length % 8 != 0) throw new InputException($"{path}: truncated document index");
        var bounds = new long[bytes.Length / 8];
        for (int i = 0; i < bounds.Length; i++) bounds[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8));
        if (bounds[^1] != expectedTokens)
            throw new InputException($"{path}: document index ends at {bounds[^1]} but the token file holds {expectedTokens} tokens");
        try { return new DocumentIndex(bounds); }
        catch (ArgumentException e) { throw new InputException($"{path}: {e.Message}"); }
    }
}
