using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using LmCompare.Corpus;

namespace LmCompare.Evaluation.Analysis;

/// <summary>
/// Keeps a corpus's <see cref="TrainingAnalysis"/> of one split in the corpus folder (<c>analysis-SPLIT-nN.bin</c>), so the
/// training census (16 of the 20 s of a debian-docs evaluation, eval/RESULTS.md) runs once per corpus. It is a cache: a
/// file that does not hold (another corpus fingerprint, split, N or length, a bad checksum, a truncated or foreign file)
/// is ignored and computed again, and a folder that cannot be written to only costs the next run the census again.
/// An estimated analysis (training keys beyond the memory budget) is not reused by a run whose budget holds them exactly.
/// Layout: magic, int32 header length, the header (UTF-8 JSON), int64 novelty length, the novelty bytes, and the
/// XxHash128 of everything before it.
/// </summary>
public static class TrainingAnalysisCache
{
    private static readonly byte[] Magic = "LMCTA001"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new(Reports.EvaluationReport.Json)
    {
        WriteIndented = false, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>What the file was computed for; whether it is estimated is its sparsity report's, its length the novelty's.</summary>
    private sealed record Header(string Corpus, string Split, int Distances, SparsityReport Sparsity);

    public static string PathOf(TokenizedCorpus corpus, string split, int distances) =>
        Path.Combine(corpus.Directory, $"analysis-{split}-n{distances}.bin");

    /// <summary>The kept analysis, or null when there is none this run may use.</summary>
    /// <param name="exactWithinBudget">This run would compute the census exactly: an estimated one kept is not good enough.</param>
    public static TrainingAnalysis? TryRead(TokenizedCorpus corpus, string split, int distances, long tokens, bool exactWithinBudget)
    {
        string path = PathOf(corpus, split, distances);
        try
        {
            if (!File.Exists(path)) return null;
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < Magic.Length + 4 + 8 + 16 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return null;
            var body = bytes.AsSpan(0, bytes.Length - 16);
            if (!XxHash128.Hash(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 16))) return null;
            int at = Magic.Length;
            int headerLength = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            if (headerLength < 0 || headerLength > body.Length - at - 12) return null;
            var header = JsonSerializer.Deserialize<Header>(body.Slice(at + 4, headerLength), Json);
            at += 4 + headerLength;
            long noveltyLength = BinaryPrimitives.ReadInt64LittleEndian(body[at..]);
            if (header is null || header.Sparsity is null || noveltyLength != tokens || noveltyLength != body.Length - at - 8) return null;
            if (header.Corpus != corpus.QuickFingerprint() || header.Split != split || header.Distances != distances) return null;
            if (header.Sparsity.DistinctEstimated && exactWithinBudget) return null;
            return new TrainingAnalysis(body[(at + 8)..].ToArray(), header.Sparsity) { Cached = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException) { return null; }
    }

    /// <summary>Keeps the analysis (temporary file, then rename); a corpus folder that cannot be written to is left as it is.</summary>
    public static void Write(TokenizedCorpus corpus, string split, int distances, TrainingAnalysis analysis)
    {
        string path = PathOf(corpus, split, distances);
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(corpus.QuickFingerprint(), split, distances, analysis.Sparsity), Json);
        var stream = new MemoryStream();
        stream.Write(Magic);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(number, header.Length);
        stream.Write(number[..4]);
        stream.Write(header);
        BinaryPrimitives.WriteInt64LittleEndian(number, analysis.Novelty.LongLength);
        stream.Write(number);
        stream.Write(analysis.Novelty);
        stream.Write(XxHash128.Hash(stream.GetBuffer().AsSpan(0, (int)stream.Length)));
        try { AtomicFile.WriteAllBytes(path, stream.GetBuffer().AsSpan(0, (int)stream.Length)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
