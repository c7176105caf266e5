using System.Diagnostics;
using LmCompare.Core;
using Spectre.Console;

namespace LmCompare.Cli.Output;

/// <summary>
/// Progress on stderr. On a terminal: a Spectre.Console bar per pipeline stage with ETA. Redirected (Spectre shows
/// no live bar then): a plain line per stage change and at most every 2 seconds. Nothing with --quiet.
/// </summary>
public static class ConsoleProgress
{
    public static T Run<T>(CommandContext context, string title, Func<IProgress<ProgressReport>?, T> work)
    {
        if (context.Quiet) return work(null);
        if (Console.IsErrorRedirected || Environment.GetEnvironmentVariable("CI") is not null)
            return work(new PlainProgress(title));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var live = new LiveProgress(ctx);
                var result = work(live);
                live.CompleteAll();
                return result;
            });
    }

    private sealed class LiveProgress(ProgressContext context) : IProgress<ProgressReport>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public void CompleteAll()
        {
            lock (_tasks)
                foreach (var task in _tasks.Values) { task.IsIndeterminate = false; task.Value = task.MaxValue; }
        }

        public void Report(ProgressReport value)
        {
            lock (_tasks)
            {
                if (!_tasks.TryGetValue(value.Stage, out var task))
                {
                    foreach (var previous in _tasks.Values) { previous.IsIndeterminate = false; previous.Value = previous.MaxValue; }
                    task = context.AddTask(value.Stage, maxValue: Math.Max(1, value.Total ?? 1));
                    _tasks[value.Stage] = task;
                }
                if (value.Total is { } total) { task.MaxValue = Math.Max(1, total); task.Value = Math.Min(value.Done, total); }
                else task.IsIndeterminate = true;
            }
        }
    }

    private sealed class PlainProgress(string title) : IProgress<ProgressReport>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private string? _stage;
        private TimeSpan _last = TimeSpan.MinValue;

        public void Report(ProgressReport value)
        {
            bool newStage = value.Stage != _stage;
            if (!newStage && _clock.Elapsed - _last < TimeSpan.FromSeconds(2)) return;
            _stage = value.Stage;
            _last = _clock.Elapsed;
            string amount = value.Total is { } total && total > 0
                ? $"{value.Done:N0}/{total:N0} {value.Unit} ({100.0 * value.Done / total:0}%)"
                : value.Done > 0 ? $"{value.Done:N0} {value.Unit}" : "";
            Console.Error.WriteLine($"{title}: {value.Stage} {amount} [{_clock.Elapsed.TotalSeconds:0.0}s]".TrimEnd());
        }
    }
}
