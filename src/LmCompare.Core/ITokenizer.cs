namespace LmCompare.Core;

/// <summary>
/// Splits one line of normalised text into tokens. Tokenizers are deterministic and stateless between
/// lines, so a corpus tokenised twice gives the same ids.
/// </summary>
public interface ITokenizer
{
    /// <summary>The settings that recreate this tokenizer (recorded in every corpus manifest).</summary>
    TokenizerSettings Settings { get; }

    /// <summary>Clears <paramref name="tokens"/> and fills it with the tokens of <paramref name="line"/> (no newline in it).</summary>
    void Tokenize(string line, TokenBuffer tokens);

    /// <summary>The same for a line held as a span (ingestion decodes blocks of text, not strings); the same tokens.</summary>
    void Tokenize(ReadOnlySpan<char> line, TokenBuffer tokens) => Tokenize(line.ToString(), tokens);

    /// <summary>Joins tokens back into readable text (exact bytes for byte-level BPE).</summary>
    string Detokenize(IReadOnlyList<string> tokens);
}

/// <summary>Names a tokenizer and its options.</summary>
/// <param name="Kind"><c>whitespace</c>, <c>word</c> or <c>gpt2</c>.</param>
/// <param name="Lowercase">Lower-case keys (word tokenizer only).</param>
public sealed record TokenizerSettings(string Kind, bool Lowercase = false)
{
    public static readonly IReadOnlyList<string> Kinds = ["whitespace", "word", "gpt2"];
}
