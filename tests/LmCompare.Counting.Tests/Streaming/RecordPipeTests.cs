using LmCompare.Counting.NGrams.Streaming;

namespace LmCompare.Counting.Tests.Streaming;

public class RecordPipeTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]      // less than a block
    [InlineData(16)]     // exactly four blocks: the writer waits on the reader
    [InlineData(1000)]   // many blocks, a partial one last
    public async Task Pipe_RecordsFromAnotherThread_SameRecordsInOrder(int records)
    {
        using var cancel = new CancellationTokenSource();
        using var pipe = new RecordPipe(3, cancel.Token, blockRecords: 4, blocks: 2);
        var writer = Task.Run(() =>
        {
            var output = new RecordPipe.Writer(pipe);
            for (int i = 0; i < records; i++) output.Write([i, -i, i * 7]);
            output.Dispose();
        });

        var read = new List<int[]>();
        var reader = new RecordPipe.Reader(pipe);
        while (reader.MoveNext()) read.Add(reader.Current.ToArray());
        await writer;

        Assert.Equal(Enumerable.Range(0, records).Select(i => new[] { i, -i, i * 7 }), read);
        Assert.False(reader.MoveNext());
    }

    [Fact]
    public void Reader_WriterFailedAndCancelled_ThrowsInsteadOfWaiting()
    {
        using var cancel = new CancellationTokenSource();
        using var pipe = new RecordPipe(1, cancel.Token, blockRecords: 4, blocks: 1);
        var writer = new RecordPipe.Writer(pipe);
        for (int i = 0; i < 5; i++) writer.Write([i]); // one block handed over, one partly filled, never completed
        var reader = new RecordPipe.Reader(pipe);
        for (int i = 0; i < 4; i++) Assert.True(reader.MoveNext());

        cancel.CancelAfter(50);
        Assert.ThrowsAny<OperationCanceledException>(() => reader.MoveNext());
    }

    [Fact]
    public void Writer_ReaderGoneAndCancelled_ThrowsInsteadOfWaiting()
    {
        using var cancel = new CancellationTokenSource();
        using var pipe = new RecordPipe(1, cancel.Token, blockRecords: 2, blocks: 1);
        var writer = new RecordPipe.Writer(pipe);
        cancel.CancelAfter(50);
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            for (int i = 0; i < 100; i++) writer.Write([i]); // the pipe holds one block: the third block waits
        });
    }
}
