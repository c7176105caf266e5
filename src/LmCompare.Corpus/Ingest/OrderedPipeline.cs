using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace LmCompare.Corpus.Ingest;

/// <summary>
/// Runs a producer, parallel workers and one consumer, with the consumer seeing the workers' results in the order the
/// producer made the items: the producer enumerates on its own thread, <paramref name="workers"/> threads transform,
/// and the calling thread consumes. At most <paramref name="inFlight"/> items exist at once, so memory stays bounded
/// whatever the input's size. An exception from the producer or a worker surfaces in the consumer at that item's place
/// in the order (so the first failure in input order is the one reported), and stops the other threads.
/// </summary>
internal static class OrderedPipeline
{
    public static void Run<TIn, TOut>(IEnumerable<TIn> source, Func<int, TIn, TOut> transform, Action<TIn, TOut> consume, int workers,
        int inFlight)
    {
        using var stop = new CancellationTokenSource();
        using var ordered = new BlockingCollection<Slot<TIn, TOut>>(inFlight);
        using var work = new BlockingCollection<Slot<TIn, TOut>>();
        var producer = new Thread(() => Produce(source, ordered, work, stop.Token)) { IsBackground = true, Name = "ingest read" };
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() => Work(w, transform, work, stop.Token))
        {
            IsBackground = true, Name = $"ingest worker {w}",
        }).ToArray();
        producer.Start();
        foreach (var thread in threads) thread.Start();
        try
        {
            foreach (var slot in ordered.GetConsumingEnumerable())
            {
                slot.Done.Wait();
                slot.Done.Dispose();
                slot.Error?.Throw();
                consume(slot.Input!, slot.Output!);
            }
        }
        finally
        {
            stop.Cancel();
            producer.Join();
            foreach (var thread in threads) thread.Join();
        }
    }

    private static void Produce<TIn, TOut>(IEnumerable<TIn> source, BlockingCollection<Slot<TIn, TOut>> ordered,
        BlockingCollection<Slot<TIn, TOut>> work, CancellationToken stop)
    {
        try
        {
            foreach (var item in source)
            {
                var slot = new Slot<TIn, TOut> { Input = item };
                ordered.Add(slot, stop);
                work.Add(slot, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the consumer stopped
        }
#pragma warning disable CA1031 // any failure of the source is the consumer's to report, in order
        catch (Exception e)
#pragma warning restore CA1031
        {
            var failed = new Slot<TIn, TOut> { Error = ExceptionDispatchInfo.Capture(e) };
            failed.Done.Set();
            try { ordered.Add(failed, stop); } catch (OperationCanceledException) { }
        }
        finally
        {
            ordered.CompleteAdding();
            work.CompleteAdding();
        }
    }

    private static void Work<TIn, TOut>(int worker, Func<int, TIn, TOut> transform, BlockingCollection<Slot<TIn, TOut>> work,
        CancellationToken stop)
    {
        try
        {
            foreach (var slot in work.GetConsumingEnumerable(stop))
            {
#pragma warning disable CA1031 // a worker's failure is the consumer's to report, at its item
                try { slot.Output = transform(worker, slot.Input!); }
                catch (Exception e) { slot.Error = ExceptionDispatchInfo.Capture(e); }
#pragma warning restore CA1031
                slot.Done.Set();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the consumer stopped
        }
    }

    private sealed class Slot<TIn, TOut>
    {
        public TIn? Input { get; init; }
        public TOut? Output { get; set; }
        public ExceptionDispatchInfo? Error { get; set; }
        public ManualResetEventSlim Done { get; } = new();
    }
}
