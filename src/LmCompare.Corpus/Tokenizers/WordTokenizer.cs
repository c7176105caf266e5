using System.Text;
using System.Text.RegularExpressions;
using LmCompare.Core;
using Microsoft.ML.Tokenizers;

namespace LmCompare.Corpus.Tokenizers;

/// <summary>
/// Words (letters with inner apostrophes: "don't", "whale's"), numbers, and every other non-space character as
/// its own token, via Microsoft.ML.Tokenizers' <see cref="RegexPreTokenizer"/>. This is the rule the project's
/// reference <c>sotu.tok</c> was made with, widened from ASCII to all Unicode letters and digits.
/// Optionally lower-cases the keys; offsets always point into the original line.
/// </summary>
public sealed partial class WordTokenizer : ITokenizer
{
    // A character outside the Basic Multilingual Plane (an emoji, a mathematical letter) is two UTF-16 chars: the middle
    // alternative keeps the pair whole, where the last would cut it into two lone surrogates, which UTF-8 cannot encode
    // (each became U+FFFD in vocab.txt, and the vocabulary then held one token twice).
    [GeneratedRegex(@"[\p{L}\p{M}\p{N}_]+(?:['’][\p{L}\p{M}]+)*|[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\s\p{L}\p{M}\p{N}_]",
        RegexOptions.CultureInvariant)]
    private static partial Regex WordRegex();

    private readonly RegexPreTokenizer _preTokenizer = new(WordRegex(), null);
    private readonly bool _lowercase;

    public WordTokenizer(bool lowercase = false)
    {
        _lowercase = lowercase;
        Settings = new TokenizerSettings("word", lowercase);
    }

    public TokenizerSettings Settings { get; }

    public void Tokenize(string line, TokenBuffer tokens)
    {
        tokens.Clear();
        foreach (var (offset, length) in _preTokenizer.PreTokenize(line)) Add(line.AsSpan(offset, length), offset, tokens);
    }

    /// <summary>
    /// The same matches of the same expression as the pre-tokenizer yields (it has no special tokens here), enumerated
    /// without a string per line: ingestion's parallel workers tokenise decoded blocks in place.
    /// </summary>
    public void Tokenize(ReadOnlySpan<char> line, TokenBuffer tokens)
    {
        tokens.Clear();
        foreach (var match in WordRegex().EnumerateMatches(line)) Add(line.Slice(match.Index, match.Length), match.Index, tokens);
    }

    private void Add(ReadOnlySpan<char> source, int offset, TokenBuffer tokens)
    {
        tokens.Add(source, offset, source.Length);
        if (_lowercase) source.ToLowerInvariant(tokens.KeySpan(tokens.Count - 1));
    }

    /// <summary>Spaces between tokens, except before closing punctuation and after opening punctuation.</summary>
    public string Detokenize(IReadOnlyList<string> tokens)
    {
        var text = new StringBuilder();
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            bool glueLeft = i == 0 || IsClosing(token) || IsOpening(tokens[i - 1]);
            if (!glueLeft) text.Append(' ');
            text.Append(token);
        }
        return text.ToString();
    }

    private static bool IsClosing(string token) => token is "." or "," or ";" or ":" or "!" or "?" or ")" or "]" or "}" or "%" or "'" or "’" or "”";

    private static bool IsOpening(string token) => token is "(" or "[" or "{" or "$" or "“" or "‘";
}
