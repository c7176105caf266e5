using System.Buffers.Binary;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// One order (2 and up) of <c>ngrams.probing</c>: its records' keys (word, context slot) sorted by (home slot, record
/// index) and written slot by slot, each at max(its home, the slot after the previous key's). That is the table linear
/// probing builds when the keys arrive in that order, so <see cref="ProbingNGramModel.Find"/> finds every key from its
/// home. An order larger than the band budget is sorted a band of home slots at a time, one pass over its records per
/// band (24 bytes per key of a band). Keys pushed past the last slot wrap to the first empty slots, as a probe does
/// (<see cref="PlaceWrapped"/>).
/// </summary>
internal sealed class OrderWriter(OrderRecords records, int[] below, long slots, bool top)
{
    private readonly List<(MiddleEntry Entry, int Index)> _wrapped = [];
    private int[] _taken = [];

    private int EntryBytes => top ? 12 : 16;

    /// <summary>Writes the order's slots; returns the slot each record took (empty for the top order).</summary>
    public int[] Write(HashedOutput output, long bandBytes)
    {
        long n = records.Length;
        _taken = top ? [] : new int[n];
        long perBand = Math.Max(1, bandBytes / 24);
        int bands = (int)Math.Max(1, (n + perBand - 1) / perBand);
        var writer = new SlotWriter(output, EntryBytes);
        ulong[] order = [];
        MiddleEntry[] entries = [];
        long next = 0; // the first slot not written
        for (int b = 0; b < bands; b++)
        {
            int count = Collect(slots * b / bands, slots * (b + 1) / bands, ref order, ref entries);
            Array.Sort(order, entries, 0, count);
            for (int j = 0; j < count; j++)
            {
                long at = Math.Max((long)(order[j] >> 32), next);
                int index = (int)(uint)order[j];
                if (at >= slots) { _wrapped.Add((entries[j], index)); continue; }
                writer.Empty(at - next);
                writer.Entry(entries[j]);
                if (!top) _taken[index] = (int)at;
                next = at + 1;
            }
        }
        writer.Empty(slots - next);
        writer.Flush();
        return _taken;
    }

    /// <summary>The keys whose home is in [<paramref name="from"/>, <paramref name="to"/>): (home &lt;&lt; 32 | record index)
    /// in <paramref name="order"/>, their entries beside; grows the arrays as needed. Returns how many.</summary>
    private int Collect(long from, long to, ref ulong[] order, ref MiddleEntry[] entries)
    {
        long expected = (long)((double)records.Length * (to - from) / slots * 1.05) + 1024;
        if (order.Length < expected) (order, entries) = (new ulong[expected], new MiddleEntry[expected]);
        int count = 0;
        for (long i = 0; i < records.Length; i++)
        {
            var record = records[i];
            ulong key = ProbingFormat.Key(record.Word, below[record.Context]);
            long home = ProbingFormat.Home(key, slots);
            if (home < from || home >= to) continue;
            if (count == order.Length)
            {
                Array.Resize(ref order, count + count / 4);
                Array.Resize(ref entries, order.Length);
            }
            order[count] = ((ulong)home << 32) | (uint)i;
            entries[count++] = new MiddleEntry(key, record.Prob, top ? 0f : record.Backoff);
        }
        return count;
    }

    /// <summary>
    /// Puts the keys pushed past the last slot into the order's first empty slots, in order (a probe from their homes runs
    /// to the end, wraps to slot 0 and on to the first empty slot). Returns whether any were placed: the file changed
    /// behind the running checksum.
    /// </summary>
    public bool PlaceWrapped(FileStream stream, long offset)
    {
        if (_wrapped.Count == 0) return false;
        stream.Flush();
        var file = stream.SafeFileHandle;
        var slot = new byte[EntryBytes];
        int placed = 0;
        for (long s = 0; placed < _wrapped.Count; s++)
        {
            OrderRecords.ReadFully(file, slot, offset + s * EntryBytes);
            if (BinaryPrimitives.ReadUInt64LittleEndian(slot) != ProbingFormat.Empty) continue;
            var (entry, index) = _wrapped[placed++];
            SlotWriter.Encode(slot, entry, EntryBytes);
            RandomAccess.Write(file, slot, offset + s * EntryBytes);
            if (!top) _taken[index] = (int)s;
        }
        return true;
    }
}

/// <summary>Slots of one order into the output through a buffer: entries (key, log10 p[, log10 backoff]) and empty
/// slots (key <see cref="ProbingFormat.Empty"/>, zeros).</summary>
internal sealed class SlotWriter(HashedOutput output, int entryBytes)
{
    private readonly byte[] _buffer = new byte[entryBytes << 14];
    private int _used;

    public static void Encode(Span<byte> slot, in MiddleEntry entry, int entryBytes)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(slot, entry.Key);
        BinaryPrimitives.WriteSingleLittleEndian(slot[8..], entry.Prob);
        if (entryBytes == 16) BinaryPrimitives.WriteSingleLittleEndian(slot[12..], entry.Backoff);
    }

    public void Entry(in MiddleEntry entry)
    {
        if (_used == _buffer.Length) Flush();
        Encode(_buffer.AsSpan(_used, entryBytes), entry, entryBytes);
        _used += entryBytes;
    }

    public void Empty(long count)
    {
        for (long i = 0; i < count; i++) Entry(new MiddleEntry(ProbingFormat.Empty, 0f, 0f));
    }

    public void Flush()
    {
        output.Append(_buffer.AsSpan(0, _used));
        _used = 0;
    }
}
