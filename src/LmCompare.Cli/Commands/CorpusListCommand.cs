using System.CommandLine;
using LmCompare.Core;
using LmCompare.Corpus;
using Spectre.Console;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc corpus list</c>: the complete corpora in the workspace.</summary>
public static class CorpusListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List the ingested corpora in <home>/corpora");
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            var corpora = TokenizedCorpus.List(context.Workspace).Select(name => TokenizedCorpus.Open(context.Workspace, name)).ToList();
            if (context.Json)
            {
                context.WriteJson(corpora.Select(c => new
                {
                    name = c.Name, tokenizer = c.Manifest.Tokenizer, vocabularySize = c.Vocabulary.Count,
                    tokens = c.Manifest.Splits.ToDictionary(kv => kv.Key, kv => kv.Value.Tokens), created = c.Manifest.CreatedUtc,
                }));
                return ExitCodes.Success;
            }
            if (corpora.Count == 0) { Console.Out.WriteLine($"no corpora in {context.Workspace.CorporaDirectory}"); return ExitCodes.Success; }
            var table = new Table().AddColumns("name", "tokenizer", "vocabulary", "train", "valid", "test", "created");
            foreach (var c in corpora)
                table.AddRow(c.Name, c.Manifest.Tokenizer.Kind, c.Vocabulary.Count.ToString("N0"), c.Manifest.Splits["train"].Tokens.ToString("N0"),
                    c.Manifest.Splits["valid"].Tokens.ToString("N0"), c.Manifest.Splits["test"].Tokens.ToString("N0"), c.Manifest.CreatedUtc[..10]);
            context.Out.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }
}
