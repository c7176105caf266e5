using LmCompare.Counting.Stores;
using LmCompare.Core;
using StackExchange.Redis;

namespace LmCompare.Counting.Backends.Garnet;

/// <summary>
/// Runs cluster requests and retries the ones that fail for want of a node (down, restarting, a timeout, a cluster that
/// is reconfiguring) with exponential backoff, 50 ms doubling to 2 s, until <see cref="GarnetStoreSettings.RetrySeconds"/>
/// have passed since the first failure; then one line says so. Retrying is safe because every write the stores make is
/// idempotent (a batch applies once per shard; markers and cookies are plain sets).
/// </summary>
internal sealed class GarnetRetry(GarnetStoreSettings settings)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50), LongestDelay = TimeSpan.FromSeconds(2);

    public T One<T>(Func<Task<T>> call) => All([call])[0];

    public void One(Func<Task> call) => One(async () => { await call().ConfigureAwait(false); return true; });

    /// <summary>Starts every request at once (pipelined), waits, and sends the failed ones again until they succeed or time runs out.</summary>
    public T[] All<T>(IReadOnlyList<Func<Task<T>>> calls)
    {
        var results = new T[calls.Count];
        var pending = Enumerable.Range(0, calls.Count).ToList();
        DateTime? deadline = null;
        var delay = FirstDelay;
        while (true)
        {
            var tasks = pending.Select(i => (Index: i, Task: calls[i]())).ToList();
            // Once requests have failed, a round may not outlast the deadline (a node that hangs would hold it forever).
            var wait = deadline is { } d ? Max(TimeSpan.Zero, d - DateTime.UtcNow) : Timeout.InfiniteTimeSpan;
            try { Task.WaitAll([.. tasks.Select(t => (Task)t.Task)], wait); }
            catch (AggregateException) { } // inspected per task below
            var failed = new List<int>();
            Exception? reason = null;
            foreach (var (index, task) in tasks)
            {
                if (task.IsCompletedSuccessfully) { results[index] = task.Result; continue; }
                var error = task.IsCompleted ? task.Exception?.GetBaseException() ?? new TaskCanceledException() : new TimeoutException("no reply");
                if (!IsTransient(error)) throw Permanent(error);
                failed.Add(index);
                reason ??= error;
            }
            if (failed.Count == 0) return results;
            deadline ??= DateTime.UtcNow + TimeSpan.FromSeconds(settings.RetrySeconds);
            if (DateTime.UtcNow >= deadline)
                throw new InputException($"garnet cluster at {settings.Endpoints}: {failed.Count} of {calls.Count} request(s) got no answer for " +
                    $"{settings.RetrySeconds} s (--timeout): "
                    + $"{OneLine(reason!)}; nothing was presented as finished: run the command again (a build with --resume) once every node is up");
            Thread.Sleep(Min(delay, Max(TimeSpan.Zero, deadline.Value - DateTime.UtcNow)));
            delay = Min(LongestDelay, delay * 2);
            pending = failed;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static bool IsTransient(Exception e) => e switch
    {
        RedisConnectionException or RedisTimeoutException or TimeoutException or TaskCanceledException => true,
        RedisServerException s => s.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal) || s.Message.StartsWith("TRYAGAIN",
            StringComparison.Ordinal)
            || s.Message.StartsWith("LOADING", StringComparison.Ordinal) || s.Message.StartsWith("MOVED", StringComparison.Ordinal)
            || s.Message.StartsWith("ASK", StringComparison.Ordinal),
        _ => false,
    };

    private Exception Permanent(Exception e) => e switch
    {
        RedisServerException s when s.Message.Contains("NOAUTH") || s.Message.Contains("WRONGPASS") =>
            GarnetCountStore.AuthenticationFailed(settings),
        RedisServerException s => new InputException($"garnet at {settings.Endpoints}: the server refused a request: {OneLine(s)}"),
        _ => e,
    };

    /// <summary>The reason without StackExchange.Redis's diagnostics (queue sizes, buffers), which follow it in parentheses or after ",
    /// command=".</summary>
    private static string OneLine(Exception e)
    {
        string message = e.Message.ReplaceLineEndings(" ");
        foreach (string marker in new[] { " (outbound=", ", command=", ", mc:" })
            if (message.IndexOf(marker, StringComparison.Ordinal) is > 0 and int cut) message = message[..cut];
        return message.Length > 160 ? message[..160] : message;
    }
}
