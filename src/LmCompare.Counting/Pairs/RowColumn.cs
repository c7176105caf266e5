using System.Runtime.CompilerServices;
using LmCompare.Counting.NGrams.Mapped;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// One column of the tables' row index (<see cref="PairTables.RowStart"/>, <see cref="PairTables.RowTotal"/>): an array
/// for tables derived or read into memory, or read in place from the mapped tables file, where a copy would hold the
/// same 8 bytes a row twice (debian-docs: 50 MB of a 382 MB model).
/// </summary>
public sealed class RowColumn
{
    private readonly long[]? _array;
    private readonly MappedFile? _file;
    private readonly long _offset;

    private RowColumn(long[] array) => (_array, Length) = (array, array.LongLength);

    /// <summary>The <paramref name="length"/> longs at byte <paramref name="offset"/> of the mapping (the caller checked
    /// that they lie within it).</summary>
    internal RowColumn(MappedFile file, long offset, long length) => (_file, _offset, Length) = (file, offset, length);

    public static implicit operator RowColumn(long[] array) => new(array);

    public long Length { get; }

    public long this[long index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((ulong)index >= (ulong)Length) throw new ArgumentOutOfRangeException(nameof(index));
            return _array is not null ? _array[index] : _file!.At<long>(_offset + index * sizeof(long));
        }
    }

    public long Last => this[Length - 1];

    /// <summary>The values as an array (the column's own when it has one).</summary>
    public long[] ToArray()
    {
        if (_array is not null) return _array;
        var values = new long[Length];
        for (long i = 0; i < Length; i++) values[i] = this[i];
        return values;
    }

    /// <summary>Asks the processor to bring the cache line of [<paramref name="index"/>] in (a hint).</summary>
    public void Prefetch(long index)
    {
        if ((ulong)index >= (ulong)Length) return;
        if (_array is not null) MappedFile.Prefetch(_array, index);
        else _file!.Prefetch(_offset + index * sizeof(long));
    }
}
