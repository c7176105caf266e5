using System.Buffers;
using LmCompare.Core;

namespace LmCompare.Corpus.Tokenizers;

/// <summary>
/// Splits on Unicode whitespace and keeps case: the KenLM-compatible mode for files that are already tokenised
/// (one sentence per line, tokens separated by spaces).
/// </summary>
public sealed class WhitespaceTokenizer : ITokenizer
{
    public TokenizerSettings Settings { get; } = new("whitespace");

    public void Tokenize(string line, TokenBuffer tokens) => Tokenize(line.AsSpan(), tokens);

    public void Tokenize(ReadOnlySpan<char> line, TokenBuffer tokens)
    {
        tokens.Clear();
        int i = 0;
        while (i < line.Length)
        {
            int skip = line[i..].IndexOfAnyExcept(Spaces);
            if (skip < 0) break;
            int start = i + skip;
            int length = line[start..].IndexOfAny(Spaces);
            if (length < 0) length = line.Length - start;
            tokens.Add(line.Slice(start, length), start, length);
            i = start + length;
        }
    }

    /// <summary>Every char <see cref="char.IsWhiteSpace(char)"/> holds for, searched for vectorised.</summary>
    private static readonly SearchValues<char> Spaces =
        SearchValues.Create(Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(char.IsWhiteSpace).ToArray());

    public string Detokenize(IReadOnlyList<string> tokens) => string.Join(' ', tokens);
}
