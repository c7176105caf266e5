using LmCompare.Core;

namespace LmCompare.Corpus.Tokenizers;

/// <summary>Creates a tokenizer from the settings recorded in a manifest or given on the command line.</summary>
public static class TokenizerFactory
{
    public static ITokenizer Create(TokenizerSettings settings) => settings.Kind switch
    {
        "whitespace" when !settings.Lowercase => new WhitespaceTokenizer(),
        "word" => new WordTokenizer(settings.Lowercase),
        "gpt2" when !settings.Lowercase => new Gpt2Tokenizer(),
        "whitespace" or "gpt2" => throw new UsageException($"--lowercase applies only to the word tokenizer, not to {settings.Kind}"),
        _ => throw new UsageException($"unknown tokenizer '{settings.Kind}' (expected one of: {string.Join(", ", TokenizerSettings.Kinds)})"),
    };
}
