using System.Globalization;
using LmCompare.Core;
using LmCompare.Core.Generation;
using LmCompare.Corpus;
using Spectre.Console;

namespace LmCompare.Cli.Generation;

/// <summary>
/// The REPL's state and commands, independent of the console: a prompt line runs every loaded model on it; lines
/// starting with ':' are commands. Every problem is one line and the session stays open. Output goes through
/// <see cref="Show"/>: panels side by side on a terminal, plain lines otherwise (scripts, tests).
/// </summary>
public sealed class ReplSession(Workspace workspace, TextWriter output, bool terminal) : IDisposable
{
    private readonly List<LoadedModel> _models = [];
    private SamplingOptions _options = new();
    private string _lastPrompt = "";

    public IReadOnlyList<LoadedModel> Models => _models;
    public SamplingOptions Options => _options;

    public const string Help = """
        Type a prompt to see every model continue it. Commands:
          :next [TEXT]          the 10 most probable next tokens of every model (after TEXT, or the last prompt)
          :set NAME VALUE       temperature, top-k, top-p, max-tokens, seed, repetition-penalty, greedy (on/off)
          :models               the loaded models
          :load MODEL           load another model
          :help                 this text
          :quit                 leave (Ctrl-D too); Ctrl-C stops a running generation
        """;

    public void UseOptions(SamplingOptions options)
    {
        options.Validate();
        _options = options;
    }

    public void Load(string name)
    {
        if (_models.Any(m => m.Name == name)) throw new UsageException($"model {name} is already loaded");
        var model = LoadedModel.Open(workspace, name);
        if (_models.Count > 0 && !_models[0].Corpus.Vocabulary.SameTokensAs(model.Corpus.Vocabulary))
        {
            model.Dispose();
            throw new InputException($"model {name} has another vocabulary than {_models[0].Name}: prompts would mean different ids");
        }
        _models.Add(model);
        output.WriteLine($"loaded {name} ({model.Kind}, corpus {model.Corpus.Name}) in {model.LoadSeconds:0.00} s");
    }

    /// <summary>Handles one input line; false when the session should end.</summary>
    public bool Handle(string line, CancellationToken cancel)
    {
        try
        {
            return HandleCore(line.Trim(), cancel);
        }
        catch (LmcException e)
        {
            output.WriteLine($"error: {e.Message}");
            return true;
        }
    }

    private bool HandleCore(string line, CancellationToken cancel)
    {
        if (!line.StartsWith(':')) { Generate(line, cancel); return true; }
        var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        switch (parts[0])
        {
            case ":quit" or ":q" or ":exit": return false;
            case ":help": output.WriteLine(Help); break;
            case ":models":
                foreach (var m in _models) output.WriteLine($"{m.Name}\t{m.Kind}\tcorpus {m.Corpus.Name}\t{m.Model.Vocabulary.Count:N0} ids");
                output.WriteLine($"settings: {_options}");
                break;
            case ":load" when parts.Length == 2: Load(parts[1]); break;
            case ":set" when parts.Length == 3: Set(parts[1], parts[2]); break;
            case ":next": Next(line.Length > 5 ? line[5..].Trim() : _lastPrompt); break;
            default: throw new UsageException($"unknown or incomplete command '{line}' (:help lists them)");
        }
        return true;
    }

    private void Set(string name, string value)
    {
        var c = CultureInfo.InvariantCulture;
        double Number() => double.TryParse(value, NumberStyles.Float, c,
            out double v) ? v : throw new UsageException($":set {name}: '{value}' is not a number");
        int Integer() => int.TryParse(value, NumberStyles.Integer, c,
            out int v) ? v : throw new UsageException($":set {name}: '{value}' is not a whole number");
        var next = name switch
        {
            "temperature" => _options with { Temperature = Number() },
            "top-k" => _options with { TopK = Integer() },
            "top-p" => _options with { TopP = Number() },
            "max-tokens" => _options with { MaxTokens = Integer() },
            "seed" => _options with { Seed = Integer() },
            "repetition-penalty" => _options with { RepetitionPenalty = Number() },
            "greedy" => _options with { Greedy = value is "on" or "true" or "1" },
            _ => throw new UsageException($":set {name}: unknown setting (temperature, top-k, top-p, max-tokens, seed, repetition-penalty, greedy)"),
        };
        next.Validate();
        _options = next;
        output.WriteLine($"{name} = {value}");
    }

    private void Generate(string prompt, CancellationToken cancel)
    {
        if (_models.Count == 0) throw new UsageException("no model loaded (:load MODEL)");
        _lastPrompt = prompt;
        var results = new List<(LoadedModel Model, GeneratedText Text, List<string> Unknown)>();
        foreach (var model in _models)
        {
            var unknown = new List<string>();
            var ids = model.Encode(prompt, unknown);
            results.Add((model, model.Generate(ids, _options, vote: false, null, cancel), unknown));
            if (cancel.IsCancellationRequested) { output.WriteLine("(generation cancelled)"); break; }
        }
        Show(prompt, results);
    }

    private void Show(string prompt, List<(LoadedModel Model, GeneratedText Text, List<string> Unknown)> results)
    {
        string Footer(GeneratedText t, List<string> unknown) =>
            $"{t.Ids.Count} tokens, {(t.Ids.Count == 0 ? 0 : 1000 * t.Seconds / t.Ids.Count):0.0} ms/token"
                + (unknown.Count > 0 ? $"; <unk>: {string.Join(", ", unknown)}" : "");
        if (!terminal)
        {
            foreach (var (model, text, unknown) in results)
                output.WriteLine($"[{model.Name}] {prompt} {text.Text}".TrimEnd() + $"   ({Footer(text, unknown)})");
            return;
        }
        var panels = results.Select(r
            => new Panel(new Markup($"[dim]{Markup.Escape(prompt)}[/] " +
            $"{Markup.Escape(r.Text.Text)}\n[grey]{Markup.Escape(Footer(r.Text, r.Unknown))}[/]"))
            .Header(Markup.Escape($"{r.Model.Name} ({r.Model.Kind})")).Expand());
        AnsiConsole.Write(new Columns(panels));
    }

    /// <summary>The 10 most probable next tokens of every model, side by side: where counts and embeddings disagree.</summary>
    private void Next(string prompt)
    {
        if (_models.Count == 0) throw new UsageException("no model loaded (:load MODEL)");
        var columns = new List<(string Name, List<(string Token, double P)> Top)>();
        foreach (var model in _models)
        {
            var ids = model.Encode(prompt, []);
            var logProbs = new float[model.Model.Vocabulary.Count];
            model.Model.EnsureIntact(); // a mapped model's checksum, started at load, holds before its first figure
            model.Model.NextTokenLogProbs(ids, logProbs);
            var top = Enumerable.Range(0, logProbs.Length).OrderByDescending(i => logProbs[i]).ThenBy(i => i).Take(10)
                .Select(i => (model.Model.Vocabulary[i], Math.Exp(logProbs[i]))).ToList();
            columns.Add((model.Name, top));
        }
        if (!terminal)
        {
            output.WriteLine($"next after \"{prompt}\":");
            foreach (var (name, top) in columns)
                output.WriteLine($"[{name}] "
                    + string.Join("  ", top.Select(t => $"{t.Token} {t.P.ToString("0.000", CultureInfo.InvariantCulture)}")));
            return;
        }
        var table = new Table().Title(Markup.Escape($"next after \"{prompt}\"")).AddColumn("#");
        foreach (var (name, _) in columns) table.AddColumn(Markup.Escape(name));
        for (int r = 0; r < 10; r++)
            table.AddRow([(r + 1).ToString(), .. columns.Select(c => r < c.Top.Count ? Markup.Escape($"{c.Top[r].Token}  {c.Top[r].P:0.000}") : "")]);
        AnsiConsole.Write(table);
    }

    public void Dispose()
    {
        foreach (var m in _models) m.Dispose();
    }
}
