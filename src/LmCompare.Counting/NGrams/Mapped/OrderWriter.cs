using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// One order (2 and up) of <c>ngrams.probing</c>: its records' keys (word, context slot) sorted by (home slot, record
/// index) and written slot by slot, each at max(its home, the slot after the previous key's). That is the table linear
/// probing builds when the keys arrive in that order, so <see cref="ProbingNGramModel.Find"/> finds every key from its
/// home. An order larger than the band budget is sorted a band of home slots at a time, one pass over its records per
/// band (28 bytes per key of a band). Keys pushed past the last slot wrap to the first empty slots, as a probe does
/// (<see cref="PlaceWrapped"/>).
/// </summary>
internal sealed class OrderWriter(OrderRecords records, int[] below, long slots, bool top, OrderWriter.Band band)
{
    private readonly List<(MiddleEntry Entry, int Index)> _wrapped = [];
    private int[] _taken = [];

    private int EntryBytes => top ? 12 : 16;

    /// <summary>Writes the order's slots; returns the slot each record took (empty for the top order).</summary>
    public int[] Write(HashedOutput output, long bandBytes)
    {
        long n = records.Length;
        _taken = top ? [] : new int[n];
        long perBand = Math.Max(1, bandBytes / BytesPerKey);
        int bands = (int)Math.Max(1, (n + perBand - 1) / perBand);
        var writer = new SlotWriter(output, EntryBytes);
        long next = 0; // the first slot not written
        for (int b = 0; b < bands; b++)
        {
            long from = slots * b / bands, to = slots * (b + 1) / bands;
            Collect(from, to, band);
            band.SortByHome(from, to);
            for (int j = 0; j < band.Count; j++)
            {
                long at = Math.Max((long)(band.Order[j] >> 32), next);
                int position = (int)(uint)band.Order[j];
                var entry = band.Entries[position];
                int index = band.Index[position];
                if (at >= slots) { _wrapped.Add((entry, index)); continue; }
                writer.Put(at, entry);
                if (!top) _taken[index] = (int)at;
                next = at + 1;
            }
        }
        writer.Finish(slots);
        return _taken;
    }

    /// <summary>Bytes a key takes in a band: (home, position) 8 and a copy to sort through, entry 16, record index 4.</summary>
    private const int BytesPerKey = 36;

    /// <summary>One band's keys in record order: entry and record index by position, and (home &lt;&lt; 32 | position) to
    /// sort, which orders them by home and then record index (positions follow the records). One for every order of a
    /// file, so the orders reuse its arrays.</summary>
    internal sealed class Band
    {
        public ulong[] Order = [];
        public MiddleEntry[] Entries = [];
        public int[] Index = [];
        public int Count;
        private ulong[] _scratch = [];

        public void Reserve(long capacity)
        {
            if (Order.Length >= capacity) return;
            Array.Resize(ref Order, (int)capacity);
            Array.Resize(ref Entries, (int)capacity);
            Array.Resize(ref Index, (int)capacity);
        }

        /// <summary>
        /// Sorts <see cref="Order"/> by home, stably: an LSD radix sort on home - <paramref name="from"/>, 11 bits a pass.
        /// The positions were collected in increasing order, so equal homes stay in record order.
        /// </summary>
        public void SortByHome(long from, long to)
        {
            if (_scratch.Length < Count) _scratch = new ulong[Order.Length];
            Span<int> start = stackalloc int[1 << RadixBits];
            ulong bias = (ulong)from << 32;
            for (int shift = 32; shift < 32 + 64 - long.LeadingZeroCount(Math.Max(1, to - from - 1)); shift += RadixBits)
            {
                start.Clear();
                var source = Order.AsSpan(0, Count);
                foreach (ulong v in source) start[(int)(((v - bias) >> shift) & RadixMask)]++;
                for (int d = 0, sum = 0; d < start.Length; d++) (start[d], sum) = (sum, sum + start[d]);
                var target = _scratch.AsSpan(0, Count);
                foreach (ulong v in source) target[start[(int)(((v - bias) >> shift) & RadixMask)]++] = v;
                (Order, _scratch) = (_scratch, Order);
            }
        }

        private const int RadixBits = 11;
        private const ulong RadixMask = (1 << RadixBits) - 1;
    }

    /// <summary>The keys whose home is in [<paramref name="from"/>, <paramref name="to"/>), read a block of records at a time.</summary>
    private void Collect(long from, long to, Band band)
    {
        band.Reserve((long)((double)records.Length * (to - from) / slots * 1.05) + 1024);
        band.Count = 0;
        var block = new NGramRecord[1 << 14];
        foreach (var (first, length) in records.Blocks(block))
        {
            var span = block.AsSpan(0, length);
            for (int r = 0; r < span.Length; r++)
            {
                ulong key = ProbingFormat.Key(span[r].Word, below[span[r].Context]);
                long home = ProbingFormat.Home(key, slots);
                if (home < from || home >= to) continue;
                if (band.Count == band.Order.Length) band.Reserve(band.Count + band.Count / 4 + 1024);
                int c = band.Count++;
                band.Order[c] = ((ulong)home << 32) | (uint)c;
                band.Entries[c] = new MiddleEntry(key, span[r].Prob, top ? 0f : span[r].Backoff);
                band.Index[c] = (int)(first + r);
            }
        }
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

/// <summary>Slots of one order into the output through a window of slots: entries (key, log10 p[, log10 backoff]) placed
/// at their slots in a buffer filled with empty slots (key <see cref="ProbingFormat.Empty"/>, zeros), so the gaps between
/// entries cost one bulk copy per window, not a copy each. Written as the structs lie in memory: the format is
/// little-endian, as is every machine .NET runs this on (checked once).</summary>
internal sealed class SlotWriter
{
    private const int WindowSlots = 1 << 14;
    private readonly HashedOutput _output;
    private readonly int _entryBytes;
    private readonly byte[] _buffer, _empties;
    private long _first; // the slot at the buffer's start

    public SlotWriter(HashedOutput output, int entryBytes)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ngrams.probing is written little-endian");
        (_output, _entryBytes) = (output, entryBytes);
        _buffer = new byte[entryBytes * WindowSlots];
        _empties = new byte[_buffer.Length];
        var empty = new MiddleEntry(ProbingFormat.Empty, 0f, 0f);
        for (int at = 0; at < _empties.Length; at += entryBytes) Encode(_empties.AsSpan(at, entryBytes), empty, entryBytes);
        _empties.CopyTo(_buffer, 0);
    }

    public static void Encode(Span<byte> slot, in MiddleEntry entry, int entryBytes)
    {
        if (entryBytes == 16) MemoryMarshal.Write(slot, in entry);
        else MemoryMarshal.Write(slot, new TopEntry(entry.Key, entry.Prob));
    }

    /// <summary>The entry at <paramref name="slot"/>: no earlier than any slot already put, so windows before it are final.</summary>
    public void Put(long slot, in MiddleEntry entry)
    {
        while (slot - _first >= WindowSlots) Advance(WindowSlots);
        Encode(_buffer.AsSpan((int)(slot - _first) * _entryBytes, _entryBytes), entry, _entryBytes);
    }

    /// <summary>Writes every slot up to <paramref name="slots"/>, the ones not put empty.</summary>
    public void Finish(long slots)
    {
        while (slots - _first > 0) Advance((int)Math.Min(WindowSlots, slots - _first));
    }

    private void Advance(int count)
    {
        _output.Append(_buffer.AsSpan(0, count * _entryBytes));
        _empties.AsSpan(0, count * _entryBytes).CopyTo(_buffer);
        _first += count;
    }
}
