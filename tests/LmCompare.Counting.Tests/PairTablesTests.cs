using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Pairs;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

public class PairTablesTests
{
    private static readonly PairModelSettings TwoDistancesTopTwo = new(Distances: 2, TopK: 2);

    /// <summary>Counts of a 6-id vocabulary over 2 distances: (u, v, d) -> c.</summary>
    private static (long[] Keys, long[] Counts) HandCounts()
    {
        var counts = new SortedDictionary<long, long>
        {
            [PairKey.Pack(3, 4, 1)] = 2, [PairKey.Pack(3, 5, 1)] = 5, [PairKey.Pack(3, 2, 1)] = 2, [PairKey.Pack(3, 3, 2)] = 1,
            [PairKey.Pack(4, 3, 1)] = 1, [PairKey.Pack(5, 3, 2)] = 7,
        };
        return (counts.Keys.ToArray(), counts.Values.ToArray());
    }

    [Fact]
    public void Derive_HandCounts_RowsTotalsTopListsAndCountOfCounts()
    {
        var (keys, counts) = HandCounts();
        using var t = PairTableBuilder.Derive(keys, counts, 6, TwoDistancesTopTwo);

        Assert.Equal(6, t.EntryCount);
        Assert.Equal(9, t.RowTotal[t.RowOf(3, 1)]);
        Assert.Equal(3, t.DistinctSuccessors(3, 1));
        Assert.Equal([5, 2], t.TopSuccessors(3, 1)); // 5 (count 5), then 2 and 4 tie at 2: the smaller id
        Assert.Equal([3], t.TopSuccessors(5, 2));
        Assert.Equal(1, t.ListedRows); // only (3, 1) has more than K = 2 successors: the others are their own lists
        long row = t.RowOf(3, 1);
        var (start, length) = t.Span(row);
        using (var list = t.TopList(row, start, length)) Assert.Equal([5, 5, 2, 2], list.Entries.ToArray()); // (v, count)
        row = t.RowOf(5, 2);
        (start, length) = t.Span(row);
        using (var list = t.TopList(row, start, length)) Assert.Equal([3, 7], list.Entries.ToArray());
        Assert.Empty(t.TopSuccessors(0, 1));
        Assert.Equal(2, t.CountOf(3, 4, 1));
        Assert.Equal(0, t.CountOf(3, 4, 2));
        Assert.Equal([0, 0, 1, 1, 1, 1], t.Continuation); // d = 1: 2 <- 3, 3 <- 4, 4 <- 3, 5 <- 3
        Assert.Equal([1L, 1L], t.Singletons); // d = 1: (4,3,1); d = 2: (3,3,2)
        Assert.Equal([2L, 0L], t.Doubletons);
    }

    [Fact]
    public void Write_ThenOpen_SameHashAndSameTablesWhetherCachedOrNot()
    {
        using var temp = new TempDirectory();
        var (keys, counts) = HandCounts();
        using var memory = PairTableBuilder.Derive(keys, counts, 6, TwoDistancesTopTwo);
        string path = temp.Combine("pairs.tables");
        var (hash, _) = PairTableBuilder.Write(PairCountRecords.FromArrays(keys, counts), 6, TwoDistancesTopTwo, path, null);

        Assert.Equal(memory.Hash(), hash);
        foreach (long cache in new[] { 1L << 20, 16, 0 })
        {
            using var file = PairTables.Open(path, hash, cache);
            Assert.Equal(cache == 1L << 20, file.Entries is ArrayPairEntries);
            for (int u = 0; u < 6; u++)
                for (int d = 1; d <= 2; d++)
                {
                    Assert.Equal(memory.TopSuccessors(u, d), file.TopSuccessors(u, d));
                    for (int v = 0; v < 6; v++) Assert.Equal(memory.CountOf(u, v, d), file.CountOf(u, v, d));
                }
        }
        Assert.False(File.Exists(path + ".tmp"));
        Assert.Throws<InputException>(() => PairTables.Open(path, hash + 1, 1 << 20));
    }

    [Fact]
    public void Open_FormatOneFile_RefusedWithRebuildHint()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("pairs.tables");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(0x3152494150434D4CL), .. new byte[120]]);

        var refused = Assert.Throws<InputException>(() => PairTables.Open(path, 0, 1 << 20));

        Assert.Contains("format 1", refused.Message);
    }

    [Fact]
    public void OpenMapped_RowStartsThatFall_RefusedBeforeAnyLookup()
    {
        using var temp = new TempDirectory();
        var (keys, counts) = HandCounts();
        string path = temp.Combine("pairs.tables");
        var (hash, _) = PairTableBuilder.Write(PairCountRecords.FromArrays(keys, counts), 6, TwoDistancesTopTwo, path, null);
        var bytes = File.ReadAllBytes(path);
        long indexOffset = BitConverter.ToInt64(bytes, bytes.Length - 3 * sizeof(long));
        BitConverter.GetBytes(1_000_000L).CopyTo(bytes, indexOffset + 3 * sizeof(long)); // RowStart[3]: far past every entry
        File.WriteAllBytes(path, bytes);

        var refused = Assert.Throws<InputException>(() => PairTableFile.OpenMapped(path, hash));

        Assert.Contains("corrupt", refused.Message);
    }

    [Fact]
    public void Open_FormatTwoFile_RefusedWithRebuildHint()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("pairs.tables");
        File.WriteAllBytes(path, [.. new byte[120], .. BitConverter.GetBytes(0x3252494150434D4CL)]); // trailer magic "LMCPAIR2"

        var refused = Assert.Throws<InputException>(() => PairTables.Open(path, 0, 1 << 20));
        var mapped = Assert.Throws<InputException>(() => PairTableFile.OpenMapped(path, 0));

        Assert.Contains("format 2", refused.Message);
        Assert.Contains("pairs build --force", mapped.Message);
    }

    /// <summary>A corpus whose most frequent word has more than 512 distinct successors (a row searched through the file).</summary>
    private static Workspace WideCorpus(TempDirectory temp)
    {
        var random = new Random(11);
        string Line() => string.Join(' ', Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? "the" : $"w{random.Next(3000)}"));
        var workspace = new Workspace(temp.Combine("home"));
        for (int d = 0; d < 10; d++) temp.Write($"wide/doc{d}.txt", string.Join('\n', Enumerable.Range(0, 200).Select(_ => Line())));
        new CorpusIngestor(workspace).Ingest(new IngestOptions("wide", [temp.Combine("wide")], new TokenizerSettings("whitespace"),
            new VocabularyOptions(), Fractions: [0.8, 0.1, 0.1]));
        return workspace;
    }

    [Fact]
    public void Load_MappedOrCacheSmallerThanTheTables_ScoresBitIdentically()
    {
        using var temp = new TempDirectory();
        var workspace = WideCorpus(temp);
        PairFixtures.Build(workspace, "wide", "p", new PairModelSettings(Distances: 3, TopK: 4));
        var corpus = TokenizedCorpus.Open(workspace, "wide");
        var test = corpus.ReadTokens(Splits.Test)[..400];

        using var whole = PairModelLoader.Load(workspace, "p", cacheBytes: 1L << 30);
        using var mapped = PairModelLoader.Load(workspace, "p");
        using var busiest = PairModelLoader.Load(workspace, "p", cacheBytes: 64 << 10);
        using var none = PairModelLoader.Load(workspace, "p", cacheBytes: 0);
        var t = whole.Probabilities.Tables;
        int the = corpus.Vocabulary.IdOf("the");

        Assert.True(t.DistinctSuccessors(the, 1) > 512, $"{t.DistinctSuccessors(the, 1)} successors");
        Assert.IsType<ArrayPairEntries>(t.Entries);
        Assert.IsType<FilePairEntries>(busiest.Probabilities.Tables.Entries);
        Assert.True(((FilePairEntries)busiest.Probabilities.Tables.Entries).CachedEntries > 0);
        Assert.IsType<MappedPairEntries>(mapped.Probabilities.Tables.Entries);
        var expected = new double[test.Length];
        whole.Score(test, 0, expected);
        var p = new float[corpus.Vocabulary.Count];
        var q = new float[corpus.Vocabulary.Count];
        foreach (var model in new[] { busiest, none, mapped })
        {
            var actual = new double[test.Length];
            model.Score(test, 0, actual);
            Assert.Equal(expected, actual);
            whole.NextTokenProbabilities(test.AsSpan(0, 5), p);
            model.NextTokenProbabilities(test.AsSpan(0, 5), q);
            Assert.Equal(p, q);
            Assert.Equal(t.TopSuccessors(the, 2), model.Probabilities.Tables.TopSuccessors(the, 2));
        }
    }

    [Fact]
    public void Build_BeyondMemory_StreamsThroughSortedRunsToTheSameModel()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 60, linesPerDocument: 100, words: 2000);

        var held = PairFixtures.Build(workspace, "random", "held", new PairModelSettings(3, 5, 64L << 20)).Manifest;
        var streamed = PairFixtures.Build(workspace, "random", "streamed", new PairModelSettings(3, 5, 1L << 20));

        Assert.Equal("faster", held.Store);
        Assert.Equal("sorted-runs", streamed.Manifest.Store);
        Assert.True(streamed.Manifest.Merges > 1, $"{streamed.Manifest.Merges} runs");
        Assert.Equal(held.TablesXxHash64, streamed.Manifest.TablesXxHash64);
        Assert.Equal(held.TestPerplexity, streamed.Manifest.TestPerplexity);
        Assert.Equal(["manifest.json", "pairs.tables"], Directory.GetFileSystemEntries(streamed.Directory).Select(Path.GetFileName)
            .Where(f => f != ".lock").Order());
    }
}
