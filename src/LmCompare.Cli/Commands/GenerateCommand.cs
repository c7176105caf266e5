using System.CommandLine;
using System.Globalization;
using LmCompare.Cli.Generation;
using LmCompare.Core;
using LmCompare.Core.Generation;

using LmCompare.Cli.Options;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc generate --model M --prompt TEXT</c>: continue a prompt with any model.</summary>
public static class GenerateCommand
{
    private static readonly Option<string> ModelOption = new("--model") { Description = "A built model (pairs, ngram or gpt)", Required = true };
    private static readonly Option<string> PromptOption = new("--prompt") { Description = "Text to continue (empty: start a new sentence)",
        DefaultValueFactory = _ => "" };
    private static readonly Option<int> SamplesOption = new("--samples") { DefaultValueFactory = _ => 1,
        Description = "Texts to generate (seeds S, S+1, ...)" };
    private static readonly Option<string> DecodeOption = new("--decode") { DefaultValueFactory = _ => "sample",
        Description = "sample, or vote (pair-distance models: the literal step-4 vote)" };

    public static Command Create()
    {
        var command = new Command("generate", "Continue a prompt with a model: sampling (temperature, top-k, top-p, greedy) shared by every model")
        {
            ModelOption, PromptOption, SamplesOption, DecodeOption,
        };
        foreach (var option in SamplingOptionSet.All) command.Options.Add(option);
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            var options = SamplingOptionSet.Read(parse);
            options.Validate();
            int samples = parse.GetValue(SamplesOption);
            if (samples < 1) throw new UsageException($"--samples must be at least 1 (got {samples})");
            string decode = parse.GetValue(DecodeOption)!;
            if (decode is not ("sample" or "vote")) throw new UsageException($"--decode {decode}: expected sample or vote");
            using var model = LoadedModel.Open(context.Workspace, parse.GetValue(ModelOption)!);
            var unknown = new List<string>();
            var prompt = model.Encode(parse.GetValue(PromptOption)!, unknown);
            if (unknown.Count > 0) context.Warn($"outside the vocabulary, read as <unk>: {string.Join(", ", unknown)}");
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var texts = new List<GeneratedText>();
                for (int s = 0; s < samples; s++)
                {
                    bool stream = !context.Json && !Console.IsOutputRedirected;
                    if (stream && samples > 1) Console.Out.Write($"[{s + 1}] ");
                    var text = model.Generate(prompt, options with { Seed = options.Seed + s }, decode == "vote", stream ? Console.Out.Write : null,
                        cancel.Token);
                    texts.Add(text);
                    if (!context.Json) Console.Out.WriteLine(stream ? "" : (samples > 1 ? $"[{s + 1}] " : "") + text.Text);
                }
                if (context.Json) context.WriteJson(new
                {
                    model = model.Name, kind = model.Kind, prompt = parse.GetValue(PromptOption), promptTokens = prompt.Length,
                        unknownWords = unknown,
                    options, decode, loadSeconds = Math.Round(model.LoadSeconds, 3),
                    samples = texts.Select(t => new { seed = t.Seed, text = t.Text, tokens = t.Ids.Select(i => model.Corpus.Vocabulary[i]),
                        seconds = Math.Round(t.Seconds, 4), firstTokenSeconds = Math.Round(t.FirstTokenSeconds, 4),
                            tokensPerSecond = Math.Round(t.TokensPerSecond, 1) }),
                });
                else if (!context.Quiet)
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"({model.Name}: loaded in {model.LoadSeconds:0.00} s, {texts.Average(t => t.TokensPerSecond):0} tokens/s)"));
                return ExitCodes.Success;
            }
            finally { Console.CancelKeyPress -= onCancel; }
        }));
        return command;
    }
}
