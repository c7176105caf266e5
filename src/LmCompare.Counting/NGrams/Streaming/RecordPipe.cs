using System.Collections.Concurrent;

namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// A sorted stream of records from one thread to another through a few blocks in memory, where one stage's output is
/// the next stage's input and no file is needed between them (stage adjust: order k's pass derives order k - 1's
/// stream while order k - 1's pass reads it). The writer blocks while <paramref name="blocks"/> blocks wait unread;
/// a cancelled token ends both sides with <see cref="OperationCanceledException"/> (a failed stage must not leave the
/// other waiting).
/// </summary>
public sealed class RecordPipe(int stride, CancellationToken cancel, int blockRecords = 1 << 14, int blocks = 4) : IDisposable
{
    private readonly BlockingCollection<(int[] Block, int Ints)> _full = new(blocks);
    private readonly ConcurrentBag<int[]> _free = [];

    public int Stride => stride;

    private int[] TakeFree() => _free.TryTake(out var block) ? block : new int[blockRecords * stride];

    /// <summary>The writing end: fill <see cref="Next"/> slots, dispose when the stream ends.</summary>
    public sealed class Writer(RecordPipe pipe) : IDisposable
    {
        private int[] _block = pipe.TakeFree();
        private int _used;
        private bool _closed;

        public Span<int> Next()
        {
            if (_used == _block.Length)
            {
                pipe._full.Add((_block, _used), pipe.CancelToken);
                (_block, _used) = (pipe.TakeFree(), 0);
            }
            var slot = _block.AsSpan(_used, pipe.Stride);
            _used += pipe.Stride;
            return slot;
        }

        public void Write(ReadOnlySpan<int> record) => record.CopyTo(Next());

        public void Dispose()
        {
            if (_closed) return;
            _closed = true;
            if (_used > 0 && !pipe.CancelToken.IsCancellationRequested) pipe._full.Add((_block, _used), pipe.CancelToken);
            pipe._full.CompleteAdding();
        }
    }

    /// <summary>The reading end, as a record stream.</summary>
    public sealed class Reader(RecordPipe pipe) : IRecordSource
    {
        private int[] _block = [];
        private int _ints, _position;

        public int Stride => pipe.Stride;
        public ReadOnlySpan<int> Current => _block.AsSpan(_position - pipe.Stride, pipe.Stride);

        public bool MoveNext()
        {
            if (_position < _ints) { _position += pipe.Stride; return true; }
            if (_block.Length > 0) pipe._free.Add(_block);
            if (!pipe._full.TryTake(out var next, Timeout.Infinite, pipe.CancelToken)) { _block = []; return false; }
            (_block, _ints, _position) = (next.Block, next.Ints, pipe.Stride);
            return true;
        }

        public void Dispose() { }
    }

    private CancellationToken CancelToken => cancel;

    public void Dispose() => _full.Dispose();
}
