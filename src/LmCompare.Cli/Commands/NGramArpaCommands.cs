using System.CommandLine;
using LmCompare.Core;
using LmCompare.Counting;
using LmCompare.Counting.NGrams;

using LmCompare.Cli.Output;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc ngram export-arpa MODEL FILE</c> and <c>lmc ngram import-arpa FILE --name MODEL --corpus NAME</c>.</summary>
public static class NGramArpaCommands
{
    private static readonly Argument<string> ModelArgument = new("MODEL") { Description = "An n-gram model" };
    private static readonly Argument<string> FileArgument = new("FILE") { Description = "ARPA file (.gz compresses)" };
    private static readonly Argument<string> ImportFileArgument = new("FILE") { Description = "ARPA file (.arpa or .arpa.gz)" };
    private static readonly Option<string> NameOption = new("--name") { Description = "Model name", Required = true };
    private static readonly Option<string> CorpusOption = new("--corpus") { Description = "The corpus whose vocabulary the ARPA file's words " +
        "belong to", Required = true };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Replace an existing model" };
    private static readonly Option<string> FormatOption = Options.NGramFormatOption.Create();

    public static Command Export()
    {
        var command = new Command("export-arpa", "Write a model as an ARPA file (KenLM's query and build_binary read it)") { ModelArgument,
            FileArgument };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            using var model = NGramModelLoader.Load(context.Workspace, parse.GetValue(ModelArgument)!);
            string path = parse.GetValue(FileArgument)!;
            try { ArpaFile.Write(path, model.Data, model.Vocabulary); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InputException($"{path}: cannot write " +
                $"({e.Message})", e); }
            if (context.Json) context.WriteJson(new { model = model.Name, file = path, ngrams = model.Data.Tables.Select(t => t.Count) });
            else Console.Out.WriteLine($"wrote {path}: {string.Join(", ", model.Data.Tables.Select(t => $"{t.Order}-grams {t.Count:N0}"))}");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Import()
    {
        var command = new Command("import-arpa", "Load an ARPA file into a model file and score with it") { ImportFileArgument, NameOption,
            CorpusOption, FormatOption, ForceOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            var existing = parse.GetValue(ForceOption) ? ExistingModel.Replace : ExistingModel.Refuse;
            string format = KneserNeySettings.ParseFormat(parse.GetValue(FormatOption));
            var result = context.WithProgress("ngram import-arpa", progress =>
                new NGramModelBuilder(context.Workspace, progress).ImportArpa(parse.GetValue(ImportFileArgument)!, parse.GetValue(CorpusOption)!,
                    parse.GetValue(NameOption)!, existing, format: format));
            if (context.Json) context.WriteJson(result.Manifest);
            else NGramBuildSummary.Print(context, result);
            return ExitCodes.Success;
        }));
        return command;
    }
}
