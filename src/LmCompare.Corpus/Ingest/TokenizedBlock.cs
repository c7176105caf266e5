using System.Buffers;

namespace LmCompare.Corpus.Ingest;

/// <summary>
/// One block of a document after a worker tokenised it: local ids (see <see cref="SpanTable"/>) with
/// <see cref="LineEnd"/> after every kept line, the UTF-8 bytes of every kept line (+1 for its newline), the block's
/// distinct strings and its invalid UTF-8 count. The arrays are rented; <see cref="Return"/> gives them back.
/// </summary>
internal sealed class TokenizedBlock
{
    public const int LineEnd = 0;

    public required int[] Ids { get; init; }
    public required int Count { get; init; }
    public required int[] LineBytes { get; init; }
    public required int Lines { get; init; }
    public required BlockTypes Types { get; init; }
    public required long InvalidUtf8 { get; init; }
    public required long RawBytes { get; init; }

    public void Return()
    {
        ArrayPool<int>.Shared.Return(Ids);
        ArrayPool<int>.Shared.Return(LineBytes);
        Types.Return();
    }
}
