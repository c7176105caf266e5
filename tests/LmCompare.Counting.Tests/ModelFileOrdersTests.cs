using System.Diagnostics;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.NGrams.Mapped;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

public class ModelFileOrdersTests
{
    /// <summary>A KN model of a small random corpus: the workspace and every order's records as <c>ngrams.bin</c> holds them.</summary>
    private static (Workspace Workspace, NGramModelManifest Manifest, string Source, NGramRecord[][] Orders) Build(TempDirectory temp, int order)
    {
        var workspace = PairFixtures.RandomCorpus(temp, documents: 8, linesPerDocument: 40, words: 200);
        new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(order, true), ExistingModel.Refuse);
        var (manifest, directory) = NGramModelLoader.ReadManifest(workspace, "kn");
        string source = Path.Combine(directory, NGramModelFile.FileName);
        var orders = new NGramRecord[order][];
        NGramModelFile.Read(source, manifest.NGramCounts, (k, records) => orders[k - 1] = records.ToArray());
        return (workspace, manifest, source, orders);
    }

    /// <summary>The records in batches of <paramref name="size"/>, each handed over after <paramref name="pause"/>.</summary>
    private static IEnumerable<ReadOnlyMemory<NGramRecord>> Batches(NGramRecord[][] orders, int size, Func<int, TimeSpan> pause)
    {
        for (int k = 1; k <= orders.Length; k++)
            for (int at = 0; at < orders[k - 1].Length; at += size)
            {
                Thread.Sleep(pause(k));
                yield return orders[k - 1].AsMemory(at, Math.Min(size, orders[k - 1].Length - at));
            }
    }

    [Fact]
    public async Task Order_WhileWriting_HandedOverOnceItsLastRecordIsIn()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("ngrams.bin");
        File.WriteAllBytes(path + ".tmp", new byte[NGramModelFile.HeaderBytes + 5 * NGramModelFile.RecordBytes]);
        using var orders = ModelFileOrders.Growing(path, [3, 2]);
        var second = Task.Run(() => orders.Order(2));
        var checksum = Task.Run(orders.Checksum);

        orders.Written(path + ".tmp", 4);
        Assert.NotSame(second, await Task.WhenAny(second, Task.Delay(200))); // 4 of 5 records: order 2 is not complete
        orders.Written(path + ".tmp", 5);

        Assert.Equal(2, (await second).Length);
        Assert.NotSame(checksum, await Task.WhenAny(checksum, Task.Delay(100))); // the trailer is not written yet
        orders.Complete(path + ".tmp", 42);
        Assert.Equal(42UL, await checksum);
    }

    [Fact]
    public async Task Streaming_WhileWriting_EachReadWaitsOnlyForItsRecords()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("ngrams.bin");
        var records = Enumerable.Range(0, 5).Select(i => new NGramRecord(0, 10 + i, 1, -1f, 0f)).ToArray();
        File.WriteAllBytes(path + ".tmp", [.. new byte[NGramModelFile.HeaderBytes],
            .. System.Runtime.InteropServices.MemoryMarshal.AsBytes(records.AsSpan()).ToArray()]);
        using var orders = ModelFileOrders.Growing(path, [3, 2]);
        orders.Written(path + ".tmp", 3); // order 1 whole, none of order 2 yet

        var second = orders.Streaming(2); // handed over before its records are in
        var one = new NGramRecord[1];
        var first = Task.Run(() => second.Read(0, one));
        Assert.NotSame(first, await Task.WhenAny(first, Task.Delay(200)));
        orders.Written(path + ".tmp", 4);
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(13, one[0].Word);
        var block = new NGramRecord[2];
        var both = Task.Run(() => second.Read(0, block));
        Assert.NotSame(both, await Task.WhenAny(both, Task.Delay(200))); // the second record is not in yet
        orders.Written(path + ".tmp", 5);
        await both.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([13, 14], block.Select(r => r.Word));
    }

    [Fact]
    public async Task Fail_WhileTheOtherSideWaits_EndsItsWaitWithTheCause()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("ngrams.bin");
        using var orders = ModelFileOrders.Growing(path, [3, 2]);
        var waiting = Task.Run(() => orders.Order(1));

        orders.Fail(new IOException("no space left on device"));

        var stopped = await Assert.ThrowsAsync<OperationCanceledException>(() => waiting);
        Assert.IsType<IOException>(stopped.InnerException);
        Assert.Throws<OperationCanceledException>(() => orders.Written(path + ".tmp", 1)); // the writer stops at its next batch
    }

    [Fact]
    public async Task TrieWriter_BesideTheModelFileBeingWritten_SameBytesAsFromTheFinishedFile()
    {
        using var temp = new TempDirectory();
        var (workspace, manifest, source, records) = Build(temp, 4);
        var counts = manifest.NGramCounts;
        int vocabulary = TokenizedCorpus.Open(workspace, "random").Vocabulary.Count;
        string copy = temp.Combine("copy.bin");

        using (var orders = ModelFileOrders.Growing(copy, counts))
        {
            var trie = Task.Run(() => TrieWriter.Write(orders, counts, vocabulary, temp.Combine("beside.trie")));
            NGramModelFile.Write(copy, counts, Batches(records, 37, _ => TimeSpan.Zero), null, orders);
            await trie;
        }
        TrieWriter.Write(source, counts, vocabulary, temp.Combine("after.trie"));

        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(copy));
        Assert.Equal(File.ReadAllBytes(temp.Combine("after.trie")), File.ReadAllBytes(temp.Combine("beside.trie")));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Store_TrieWriterFailsWhileTheModelFileIsWritten_StopsTheStoreWithTheTrieWritersReason()
    {
        using var temp = new TempDirectory();
        var (workspace, manifest, _, records) = Build(temp, 4);
        records[1][records[1].Length / 2] = records[1][records[1].Length / 2] with { Prob = 0.5f }; // a bigram above probability 1
        bool storeFinished = false;
        IEnumerable<ReadOnlyMemory<NGramRecord>> Slow()
        {
            // the 4-grams come slowly: the trie writer finds the bigram (once the trigrams give its successors) meanwhile
            foreach (var batch in Batches(records, 16, k => TimeSpan.FromMilliseconds(k == 4 ? 10 : 0))) yield return batch;
            storeFinished = true;
        }
        var corpus = TokenizedCorpus.Open(workspace, "random");
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, "bad", ExistingModel.Refuse);
        var writer = new NGramModelWriter(corpus, folder, "bad", [], Stopwatch.StartNew(), null, 1L << 26, KneserNeySettings.Trie);

        var refused = Assert.Throws<InputException>(() =>
            writer.Store(new ModelRecords(manifest.NGramCounts, [], Slow(), null), m => m));

        Assert.Contains("2-gram has log10 p 0.5", refused.Message);
        Assert.False(storeFinished);
        // no model file, no trie, no manifest, no temporary file (the lock is the claim this test still holds)
        Assert.Equal([".lock"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }
}
