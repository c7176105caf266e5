using System.CommandLine;
using LmCompare.Cli.Options;
using LmCompare.Core;
using LmCompare.Counting.Pairs;
using Spectre.Console;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc pairs top MODEL WORD [--distance d]</c>: the stored top-K successors of a word per distance (step 3).</summary>
public static class PairsTopCommand
{
    private static readonly Argument<string> ModelArgument = new("MODEL") { Description = "A built pair-distance model" };
    private static readonly Argument<string> WordArgument = new("WORD") { Description = "A word of the model's vocabulary" };
    private static readonly Option<int?> DistanceOption = new("--distance") { Description = "Only this distance (default: all)" };

    public static Command Create()
    {
        var command = new Command("top", "Print the most frequent successors of a word at each distance") { ModelArgument, WordArgument,
            DistanceOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            using var model = PairModelLoader.Load(context.Workspace, parse.GetValue(ModelArgument)!, CountingBackendOptions.Locations);
            string word = parse.GetValue(WordArgument)!;
            if (!model.Vocabulary.Contains(word)) throw new InputException($"'{word}' is not in the vocabulary of model {model.Name}");
            int u = model.Vocabulary.IdOf(word);
            var tables = model.Probabilities.Tables;
            int? only = parse.GetValue(DistanceOption);
            if (only is { } o && (o < 1 || o > tables.Distances)) throw new UsageException($"--distance must be in 1..{tables.Distances}");
            var rows = Enumerable.Range(1, tables.Distances).Where(d => only is null || d == only)
                .Select(d => new
                {
                    distance = d, followers = tables.RowTotal[tables.RowOf(u, d)], distinct = tables.DistinctSuccessors(u, d),
                    successors = tables.TopSuccessors(u, d).ToArray().Select(v => new { word = model.Vocabulary[v],
                        count = tables.CountOf(u, v, d) }).ToList(),
                }).ToList();
            if (context.Json) { context.WriteJson(new { model = model.Name, word, distances = rows }); return ExitCodes.Success; }
            foreach (var row in rows)
            {
                Console.Out.WriteLine($"d = {row.distance}: {row.followers:N0} followers, {row.distinct:N0} distinct");
                var table = new Table().AddColumns("rank", "word", "count", "share");
                for (int i = 0; i < row.successors.Count; i++)
                    table.AddRow((i + 1).ToString(), Markup.Escape(row.successors[i].word), row.successors[i].count.ToString("N0"),
                        ((double)row.successors[i].count / row.followers).ToString("P1"));
                context.Out.Write(table);
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
