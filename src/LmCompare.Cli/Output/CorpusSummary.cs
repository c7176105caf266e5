using LmCompare.Corpus.Ingest;
using Spectre.Console;

namespace LmCompare.Cli.Output;

/// <summary>What <c>corpus ingest</c> and <c>corpus synth</c> print: the per-split table and a summary line, or JSON.</summary>
public static class CorpusSummary
{
    public static object Json(IngestResult result) => new
    {
        corpus = result.Manifest.Name,
        directory = result.Directory,
        vocabularySize = result.Manifest.Vocabulary.Size,
        trainTypes = result.Manifest.Vocabulary.TrainTypes,
        splits = result.Manifest.Splits.ToDictionary(kv => kv.Key, kv => new
        {
            kv.Value.Documents, kv.Value.Lines, kv.Value.Tokens, kv.Value.Words, kv.Value.Oov, kv.Value.OovRate, kv.Value.Bytes,
        }),
        invalidUtf8 = result.Manifest.Sources.Sum(s => s.InvalidUtf8),
        synthetic = result.Manifest.Synthetic,
        elapsedSeconds = Math.Round(result.Elapsed.TotalSeconds, 3),
        tokensPerSecond = Math.Round(result.TokensPerSecond),
    };

    public static void Print(CommandContext context, IngestResult result)
    {
        var table = new Table().AddColumns("split", "documents", "lines", "tokens", "OOV", "OOV rate", "bytes");
        foreach (var (name, s) in result.Manifest.Splits)
            table.AddRow(name, s.Documents.ToString("N0"), s.Lines.ToString("N0"), s.Tokens.ToString("N0"), s.Oov.ToString("N0"),
                s.OovRate.ToString("P2"), s.Bytes.ToString("N0"));
        context.Out.Write(table);
        Console.Out.WriteLine($"corpus {result.Manifest.Name}: {result.Manifest.Vocabulary.Size:N0} ids ({result.Manifest.Tokenizer.Kind} " +
            $"tokenizer), "
            + $"{result.TotalTokens:N0} tokens in {result.Elapsed.TotalSeconds:0.00} s ({result.TokensPerSecond:N0} tokens/s) -> {result.Directory}");
        if (result.Manifest.Synthetic is { } synthetic)
            Console.Out.WriteLine($"synthetic: {synthetic.Note} '{synthetic.Like}' (seed {synthetic.Seed})");
    }
}
