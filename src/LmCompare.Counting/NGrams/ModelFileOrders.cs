using Microsoft.Win32.SafeHandles;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// The orders of an <c>ngrams.bin</c> for a reader that takes them lowest first: a finished file (<see cref="Finished"/>),
/// or the one <see cref="NGramModelFile.Write"/> is writing (<see cref="Growing"/>), whose order k is handed over as soon
/// as its last record is in the file, so stage binary writes the trie beside stage store instead of after it. The
/// reader's thread waits in <see cref="Order"/> until its order is written (or, reading an order front to back, takes
/// its records as they come: <see cref="Streaming"/>); a writer or reader that fails ends the other's
/// wait with an exception (<see cref="Fail"/>), so neither is left running alone.
/// </summary>
public sealed class ModelFileOrders : IDisposable
{
    private readonly long[] _ends; // records written when each order is complete: counts[0], counts[0] + counts[1], ...
    private readonly long[] _counts;
    private readonly object _gate = new();
    private SafeFileHandle? _file;
    private long _written;
    private ulong? _checksum;
    private Exception? _failure;

    private ModelFileOrders(string path, long[] counts)
    {
        Path = path;
        _counts = counts;
        _ends = new long[counts.Length];
        for (long k = 0, sum = 0; k < counts.Length; k++) _ends[k] = sum += counts[k];
    }

    /// <summary>The model file's final path (error messages name it).</summary>
    public string Path { get; }

    /// <summary>A model file already written: its header and length are checked (its checksum is not read: the caller has
    /// just written it, or checks it itself).</summary>
    public static ModelFileOrders Finished(string path, long[] counts)
    {
        ulong checksum = NGramModelFile.CheckedTrailer(path, counts);
        var orders = new ModelFileOrders(path, counts) { _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read) };
        orders._written = orders._ends[^1];
        orders._checksum = checksum;
        return orders;
    }

    /// <summary>The model file <paramref name="path"/> that is about to be written: pass this to <see cref="NGramModelFile.Write"/>.</summary>
    public static ModelFileOrders Growing(string path, long[] counts) => new(path, counts);

    /// <summary>Order <paramref name="k"/> (1-based) once all its records are in the file.</summary>
    public OrderRecords Order(int k)
    {
        long first = _ends[k - 1] - _counts[k - 1];
        WaitWritten(first, _counts[k - 1], _counts[k - 1]);
        return new OrderRecords(_file!, NGramModelFile.HeaderBytes + first * NGramModelFile.RecordBytes, _counts[k - 1]);
    }

    /// <summary>Order <paramref name="k"/> with its records possibly still on their way: each read waits until the
    /// records it asks for are in the file (a reader that takes the order front to back runs right behind the writer).</summary>
    public OrderRecords Streaming(int k)
    {
        long first = _ends[k - 1] - _counts[k - 1];
        lock (_gate)
        {
            while (_failure is null && _file is null) Monitor.Wait(_gate); // the handle: opened at the writer's first batch
            ThrowIfFailed();
            return new OrderRecords(_file!, NGramModelFile.HeaderBytes + first * NGramModelFile.RecordBytes, _counts[k - 1],
                end => WaitWritten(first, end, _counts[k - 1]));
        }
    }

    /// <summary>Waits until the order from record <paramref name="first"/> has <paramref name="end"/> records in the file;
    /// returns how many it has (at most <paramref name="count"/>).</summary>
    private long WaitWritten(long first, long end, long count)
    {
        lock (_gate)
        {
            while (_failure is null && _written < first + end) Monitor.Wait(_gate);
            ThrowIfFailed();
            return Math.Min(count, _written - first);
        }
    }

    /// <summary>The checksum in the file's trailer, once the whole file is written.</summary>
    public ulong Checksum()
    {
        lock (_gate)
        {
            while (_failure is null && _checksum is null) Monitor.Wait(_gate);
            ThrowIfFailed();
            return _checksum!.Value;
        }
    }

    /// <summary>Ends every wait with <paramref name="failure"/> (the first one reported is kept).</summary>
    public void Fail(Exception failure)
    {
        lock (_gate)
        {
            _failure ??= failure;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The writer: <paramref name="records"/> records of <paramref name="temporaryPath"/> are on disk (called before
    /// the file is renamed). Throws when the reader has failed, which stops the writer.</summary>
    internal void Written(string temporaryPath, long records)
    {
        lock (_gate)
        {
            ThrowIfFailed();
            // opened by the writer's thread before the rename: the handle follows the file to its final name
            _file ??= File.OpenHandle(temporaryPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _written = records;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The writer: the whole file is written, with <paramref name="checksum"/> in its trailer.</summary>
    internal void Complete(string temporaryPath, ulong checksum)
    {
        Written(temporaryPath, _ends[^1]);
        lock (_gate)
        {
            _checksum = checksum;
            Monitor.PulseAll(_gate);
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
            throw new OperationCanceledException($"{Path}: stopped because the stage beside it failed", _failure);
    }

    public void Dispose() => _file?.Dispose();
}
