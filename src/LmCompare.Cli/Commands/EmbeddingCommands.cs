using System.CommandLine;
using System.Globalization;
using LmCompare.Cli.Generation;
using LmCompare.Core;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc neighbors --model M WORD</c> and <c>lmc analogy --model M A B C</c>: what the word vectors learned.</summary>
public static class EmbeddingCommands
{
    private static readonly Option<string> ModelOption = new("--model") { Description = "A gpt model (token embeddings) or a pairs model (PPMI + " +
        "SVD of its counts)", Required = true };
    private static readonly Option<int> CountOption = new("-n") { DefaultValueFactory = _ => 10, Description = "How many words" };

    public static Command Neighbors()
    {
        var word = new Argument<string>("WORD") { Description = "A word of the model's vocabulary" };
        var command = new Command("neighbors", "The nearest words by cosine similarity of the model's word vectors") { ModelOption, CountOption,
            word };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            var space = EmbeddingSources.Open(context.Workspace, parse.GetValue(ModelOption)!);
            Print(context, space.Name, $"nearest to '{parse.GetValue(word)}'", space.Neighbours(parse.GetValue(word)!, Count(parse)));
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Analogy()
    {
        var a = new Argument<string>("A");
        var b = new Argument<string>("B");
        var c = new Argument<string>("C");
        var command = new Command("analogy", "A is to B as C is to ? (nearest word to B - A + C)") { ModelOption, CountOption, a, b, c };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            var space = EmbeddingSources.Open(context.Workspace, parse.GetValue(ModelOption)!);
            string question = $"'{parse.GetValue(a)}' is to '{parse.GetValue(b)}' as '{parse.GetValue(c)}' is to";
            Print(context, space.Name, question, space.Analogy(parse.GetValue(a)!, parse.GetValue(b)!, parse.GetValue(c)!, Count(parse)));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static int Count(ParseResult parse) =>
        parse.GetValue(CountOption) is var n and > 0 ? n : throw new UsageException($"-n must be at least 1 (got {parse.GetValue(CountOption)})");

    private static void Print(CommandContext context, string space, string question, List<(string Word, double Cosine)> words)
    {
        if (context.Json) { context.WriteJson(new { space, question,
            words = words.Select(w => new { word = w.Word, cosine = Math.Round(w.Cosine, 4) }) }); return; }
        Console.Out.WriteLine($"{space}: {question}");
        foreach (var (w, cosine) in words) Console.Out.WriteLine($"  {w}\t{cosine.ToString("0.000", CultureInfo.InvariantCulture)}");
    }
}
