using System.CommandLine;
using System.Globalization;
using LmCompare.Cli.Output;
using LmCompare.Core;
using LmCompare.Corpus.Ingest;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc corpus ingest PATH... --name NAME</c>: text files to a tokenised corpus.</summary>
public static class CorpusIngestCommand
{
    private static readonly Argument<string[]> PathsArgument = new("PATH") { Description = ".txt/.gz files or directories (recursive); each file " +
        "is one document", Arity = ArgumentArity.ZeroOrMore };
    private static readonly Option<string> NameOption = new("--name") { Description = "Corpus name (folder under <home>/corpora)", Required = true };
    private static readonly Option<string> FormatOption = new("--format") { Description = "text, or brown-tagged (word/tag tokens)",
        DefaultValueFactory = _ => "text" };
    private static readonly Option<string> TokenizerOption = new("--tokenizer") { Description = "whitespace, word or gpt2",
        DefaultValueFactory = _ => "word" };
    private static readonly Option<bool> LowercaseOption = new("--lowercase") { Description = "Lower-case words (word tokenizer)" };
    private static readonly Option<int> MinCountOption = new("--min-count") { Description = "Training words seen fewer times become <unk>",
        DefaultValueFactory = _ => 1 };
    private static readonly Option<int> MaxVocabOption = new("--max-vocab") { Description = "Keep at most this many words (0 = all)",
        DefaultValueFactory = _ => 0 };
    private static readonly Option<string?> SplitOption = new("--split") { Description = "Train,valid,test shares of whole documents (default " +
        "0.9,0.05,0.05)" };
    private static readonly Option<int> SeedOption = new("--seed") { Description = "Seed of the document shuffle", DefaultValueFactory = _ => 1 };
    private static readonly Option<string[]> TrainOption = new("--train") { Description = "Explicit training files/directories",
        AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string[]> ValidOption = new("--valid") { Description = "Explicit validation files/directories",
        AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string[]> TestOption = new("--test") { Description = "Explicit test files/directories",
        AllowMultipleArgumentsPerToken = true };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Replace an existing corpus of the same name" };

    public static Command Create()
    {
        var command = new Command("ingest", "Read text files, split them, build the vocabulary and write the token files")
        {
            PathsArgument, NameOption, FormatOption, TokenizerOption, LowercaseOption, MinCountOption, MaxVocabOption,
            SplitOption, SeedOption, TrainOption, ValidOption, TestOption, ForceOption,
        };
        command.SetAction(parse => LmcApp.Execute(parse, context => Run(parse, context)));
        return command;
    }

    private static int Run(ParseResult parse, CommandContext context)
    {
        var options = new IngestOptions(
            Name: parse.GetValue(NameOption)!,
            Paths: parse.GetValue(PathsArgument) ?? [],
            Tokenizer: new TokenizerSettings(parse.GetValue(TokenizerOption)!, parse.GetValue(LowercaseOption)),
            Vocabulary: new VocabularyOptions(parse.GetValue(MinCountOption), parse.GetValue(MaxVocabOption)),
            Format: parse.GetValue(FormatOption)!,
            Fractions: ParseFractions(parse.GetValue(SplitOption)),
            Seed: parse.GetValue(SeedOption),
            TrainPaths: parse.GetValue(TrainOption),
            ValidPaths: parse.GetValue(ValidOption),
            TestPaths: parse.GetValue(TestOption),
            Force: parse.GetValue(ForceOption));
        var ingestor = (IProgress<ProgressReport>? progress) => new CorpusIngestor(context.Workspace, progress).Ingest(options);
        var result = context.WithProgress("ingest", ingestor);
        foreach (var source in result.Manifest.Sources.Where(s => s.InvalidUtf8 > 0))
            context.Warn($"{source.Path}: {source.InvalidUtf8} invalid UTF-8 sequence(s) replaced with U+FFFD");
        if (context.Json) context.WriteJson(CorpusSummary.Json(result));
        else CorpusSummary.Print(context, result);
        return ExitCodes.Success;
    }

    public static double[]? ParseFractions(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(',');
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new UsageException($"--split: '{parts[i]}' is not a number (expected e.g. 0.9,0.05,0.05)");
        return values;
    }
}
