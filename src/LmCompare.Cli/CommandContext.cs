using LmCompare.Cli.Output;
using System.CommandLine;
using System.Text.Json;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using Spectre.Console;

namespace LmCompare.Cli;

/// <summary>What every command needs: the workspace, the output mode and a console for tables.</summary>
public sealed class CommandContext(ParseResult parse)
{
    public ParseResult Parse { get; } = parse;

    public Workspace Workspace { get; } = new(parse.GetValue(GlobalOptions.Home) ?? ".");

    public bool Json { get; } = parse.GetValue(GlobalOptions.Json);

    public bool Quiet { get; } = parse.GetValue(GlobalOptions.Quiet);

    /// <summary>Tables and summaries go to stdout (never in --json mode).</summary>
    public IAnsiConsole Out { get; } = CreateOut();

    /// <summary>Spectre assumes 80 columns when stdout is not a terminal; wide tables then wrap, so allow 200.</summary>
    private static IAnsiConsole CreateOut()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 200;
        return console;
    }

    public void Error(string message) => Console.Error.WriteLine($"lmc: error: {message}");

    public void Warn(string message)
    {
        if (!Quiet) Console.Error.WriteLine($"lmc: warning: {message}");
    }

    public void WriteJson(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, CorpusManifest.JsonOptions));

    /// <summary>Runs <paramref name="work"/> with progress on stderr: a live bar on a terminal, plain lines otherwise.</summary>
    public T WithProgress<T>(string title, Func<IProgress<ProgressReport>?, T> work) =>
        ConsoleProgress.Run(this, title, work);
}
