using LmCompare.Corpus.Ingest;

namespace LmCompare.Corpus.Tests;

public class OrderedPipelineTests
{
    [Fact]
    public void Run_WorkersFinishingOutOfOrder_ConsumerSeesInputOrder()
    {
        var random = new Random(5);
        var delays = Enumerable.Range(0, 200).Select(_ => random.Next(3)).ToArray();
        var seen = new List<(int, int)>();

        OrderedPipeline.Run(Enumerable.Range(0, 200), (_, i) => { Thread.Sleep(delays[i]); return i * i; },
            (i, square) => seen.Add((i, square)), workers: 4, inFlight: 8);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (i, i * i)), seen);
    }

    [Fact]
    public void Run_FailuresInWorkerAndSource_FirstInInputOrderSurfacesAfterTheItemsBeforeIt()
    {
        static IEnumerable<int> Source()
        {
            for (int i = 0; i < 10; i++) yield return i;
            throw new InvalidOperationException("source");
        }
        var seen = new List<int>();

        var error = Assert.Throws<InvalidOperationException>(() => OrderedPipeline.Run(Source(),
            (_, i) => i == 6 ? throw new InvalidOperationException("item 6") : i, (i, _) => seen.Add(i), workers: 2, inFlight: 3));

        Assert.Equal("item 6", error.Message);
        Assert.Equal([0, 1, 2, 3, 4, 5], seen);
    }
}
