using System.Buffers.Binary;
using System.Text;

namespace LmCompare.Transformer.Native;

/// <summary>
/// Marks one version requirement of an ELF shared library weak (VER_FLG_WEAK in its .gnu.version_r vernaux entry).
/// libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13) only for the unused symbol _ZSt21ios_base_library_initv;
/// Debian 12's libstdc++ stops at 3.4.30, so the loader refuses the library (TorchSharp then reports a misleading
/// "doesn't contain a reference to libtorch-cpu-linux-x64"). A weak requirement that is missing is only a warning.
/// ELF layout: System V gABI; version needs: the LSB's "Symbol Versioning" (Elf64_Verneed / Elf64_Vernaux).
/// </summary>
public static class ElfVersionPatch
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>Version requirement names of the file and whether each is weak.</summary>
    public static IReadOnlyList<(string Version, bool Weak)> Requirements(string path) =>
        Walk(File.ReadAllBytes(path), path).Select(e => (e.Name, e.Weak)).ToList();

    /// <summary>
    /// Marks <paramref name="version"/> weak; returns how many entries changed (0 when already weak or absent). The file
    /// is rewritten under a temporary name and renamed into place, so a concurrent loader sees the old or the new file.
    /// </summary>
    public static int MarkWeak(string path, string version)
    {
        var bytes = File.ReadAllBytes(path);
        int changed = 0;
        foreach (var entry in Walk(bytes, path))
        {
            if (entry.Name != version || entry.Weak) continue;
            var flags = bytes.AsSpan(entry.FlagsOffset, 2);
            BinaryPrimitives.WriteUInt16LittleEndian(flags, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(flags) | VerFlagWeak));
            changed++;
        }
        if (changed == 0) return 0;
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
        return changed;
    }

    private readonly record struct Need(string Name, bool Weak, int FlagsOffset);

    private static List<Need> Walk(byte[] bytes, string path)
    {
        if (bytes.Length < 64 || bytes[0] != 0x7F || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F' || bytes[4] != 2 || bytes[5] != 1)
            throw new InvalidDataException($"{path}: not a 64-bit little-endian ELF file");
        long sectionOffset = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(0x28));
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(0x3A));
        int sections = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(0x3C));
        var result = new List<Need>();
        for (int i = 0; i < sections; i++)
        {
            var header = bytes.AsSpan((int)(sectionOffset + (long)i * entrySize), entrySize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != ShtGnuVerneed) continue;
            long offset = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
            int link = BinaryPrimitives.ReadInt32LittleEndian(header[40..]);
            int count = BinaryPrimitives.ReadInt32LittleEndian(header[44..]);
            long strings = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)(sectionOffset + (long)link * entrySize) + 24));
            ReadNeeds(bytes, offset, count, strings, result);
        }
        return result;
    }

    /// <summary>Elf64_Verneed: vn_cnt at +2, vn_aux at +8, vn_next at +12; Elf64_Vernaux: vna_flags at +4, vna_name at +8, vna_next at +12.</summary>
    private static void ReadNeeds(byte[] bytes, long entry, int count, long strings, List<Need> result)
    {
        for (int n = 0; n < count; n++)
        {
            int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)entry + 2));
            long aux = entry + BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)entry + 8));
            for (int a = 0; a < auxCount; a++)
            {
                int flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)aux + 4));
                int name = (int)(strings + BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)aux + 8)));
                int end = Array.IndexOf(bytes, (byte)0, name);
                result.Add(new Need(Encoding.ASCII.GetString(bytes, name, end - name), (flags & VerFlagWeak) != 0, (int)aux + 4));
                aux += BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)aux + 12));
            }
            entry += BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)entry + 12));
        }
    }
}
