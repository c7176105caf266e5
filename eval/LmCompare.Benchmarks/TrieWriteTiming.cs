using System.Diagnostics;
using System.Text.Json;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.NGrams.Mapped;

namespace LmCompare.Benchmarks;

/// <summary>
/// Stage binary alone, on a model that is already built: writes the trie of MODEL_FOLDER's ngrams.bin again (to
/// ngrams.trie.rewrite beside it, then compared byte for byte with the build's ngrams.trie and deleted), so the trie
/// writer can be timed and profiled without the hours of counting before it.
/// Usage: dotnet run -c Release --project eval/LmCompare.Benchmarks -- trie-write MODEL_FOLDER [memory MiB=512] [maps|buckets]
/// </summary>
public static class TrieWriteTiming
{
    public static void Run(string folder, long memoryMiB, bool? byBuckets)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        long[] counts = manifest.RootElement.GetProperty("nGramCounts").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        int vocabulary = manifest.RootElement.GetProperty("vocabularySize").GetInt32();
        string source = Path.Combine(folder, NGramModelFile.FileName), target = Path.Combine(folder, "ngrams.trie.rewrite");
        var clock = Stopwatch.StartNew();
        TrieWriter.Write(source, counts, vocabulary, target, memoryMiB << 20, byBuckets: byBuckets);
        Console.WriteLine($"trie written in {clock.Elapsed.TotalSeconds:F2} s ({(byBuckets ?? !TrieWriter.MapsFit(counts, vocabulary,
            memoryMiB << 20, ProbingWriter.MinimumBandBytes) ? "buckets" : "index maps")}, {memoryMiB} MiB); peak working set " +
            $"{Process.GetCurrentProcess().PeakWorkingSet64 >> 20} MiB");
        bool same = FilesEqual(target, Path.Combine(folder, TrieNGramModel.FileName));
        File.Delete(target);
        Console.WriteLine(same ? "same bytes as the build's ngrams.trie" : "DIFFERENT from the build's ngrams.trie");
        if (!same) Environment.Exit(1);
    }

    private static bool FilesEqual(string a, string b)
    {
        using var x = File.OpenRead(a);
        using var y = File.OpenRead(b);
        if (x.Length != y.Length) return false;
        byte[] p = new byte[1 << 20], q = new byte[1 << 20];
        int read;
        while ((read = x.ReadAtLeast(p, p.Length, false)) > 0)
            if (y.ReadAtLeast(q, read, false) != read || !p.AsSpan(0, read).SequenceEqual(q.AsSpan(0, read))) return false;
        return true;
    }
}
