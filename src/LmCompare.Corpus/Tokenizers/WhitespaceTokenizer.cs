using LmCompare.Core;

namespace LmCompare.Corpus.Tokenizers;

/// <summary>
/// Splits on Unicode whitespace and keeps case: the KenLM-compatible mode for files that are already tokenised
/// (one sentence per line, tokens separated by spaces).
/// </summary>
public sealed class WhitespaceTokenizer : ITokenizer
{
    public TokenizerSettings Settings { get; } = new("whitespace");

    public void Tokenize(string line, TokenBuffer tokens)
    {
        tokens.Clear();
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
            int start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
            if (i > start) tokens.Add(line.AsSpan(start, i - start), start, i - start);
        }
    }

    public string Detokenize(IReadOnlyList<string> tokens) => string.Join(' ', tokens);
}
