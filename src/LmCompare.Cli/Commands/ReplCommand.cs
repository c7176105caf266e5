using System.CommandLine;
using LmCompare.Cli.Generation;
using LmCompare.Core;

using LmCompare.Cli.Options;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc repl [--models A,B,...]</c>: prompts in, every model's continuation side by side.</summary>
public static class ReplCommand
{
    private static readonly Option<string?> ModelsOption = new("--models") { Description = "Comma-separated models to load (more with :load)" };

    public static Command Create()
    {
        var command = new Command("repl", "Interactive: every model continues your prompt side by side; :next shows their next-token distributions")
            { ModelsOption };
        foreach (var option in SamplingOptionSet.All) command.Options.Add(option);
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            bool terminal = !Console.IsInputRedirected && !Console.IsOutputRedirected;
            using var session = new ReplSession(context.Workspace, Console.Out, terminal);
            var options = SamplingOptionSet.Read(parse);
            options.Validate();
            foreach (string name in parse.GetValue(ModelsOption) is { } list ? ModelList.Parse(list, "--models") : []) session.Load(name);
            session.UseOptions(options);
            if (terminal) Console.Out.WriteLine("lmc repl: type a prompt, :help for commands, Ctrl-D to leave");
            var editor = new LineEditor();
            CancellationTokenSource? running = null;
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; running?.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                while (true)
                {
                    string? line = terminal ? editor.ReadLine("> ") : Console.In.ReadLine();
                    if (line is null) break;
                    running = new CancellationTokenSource();
                    bool go = session.Handle(line, running.Token);
                    running.Dispose();
                    running = null;
                    if (!go) break;
                }
            }
            finally { Console.CancelKeyPress -= onCancel; }
            return ExitCodes.Success;
        }));
        return command;
    }
}
