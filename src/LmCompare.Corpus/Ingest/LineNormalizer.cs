using System.Text;

namespace LmCompare.Corpus.Ingest;

/// <summary>
/// Turns a raw line into the text the tokenizer sees: surrounding whitespace trimmed, and for the
/// <c>brown-tagged</c> format each <c>word/tag</c> reduced to <c>word</c> (the last '/' starts the tag).
/// Returns null for lines with nothing left: blank lines separate paragraphs but are not sentences.
/// </summary>
public sealed class LineNormalizer(string format)
{
    private readonly bool _brownTagged = format == "brown-tagged";
    private readonly StringBuilder _builder = new();

    /// <summary>
    /// The same for a line held as a span: false for a line with nothing left; otherwise the text (a slice of the line,
    /// or for <c>brown-tagged</c> a new string).
    /// </summary>
    public bool TryNormalize(ReadOnlySpan<char> line, out ReadOnlySpan<char> text)
    {
        var trimmed = line.Trim();
        text = trimmed;
        if (trimmed.IsEmpty) return false;
        if (!_brownTagged) return true;
        text = StripTags(trimmed);
        return !text.IsEmpty;
    }

    public string? Normalize(string line)
    {
        var trimmed = line.AsSpan().Trim();
        if (trimmed.IsEmpty) return null;
        if (!_brownTagged) return trimmed.Length == line.Length ? line : trimmed.ToString();
        return StripTags(trimmed);
    }

    private string? StripTags(ReadOnlySpan<char> line)
    {
        _builder.Clear();
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
            int start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
            if (i == start) break;
            var token = line[start..i];
            int slash = token.LastIndexOf('/');
            if (slash > 0) token = token[..slash];
            if (_builder.Length > 0) _builder.Append(' ');
            _builder.Append(token);
        }
        return _builder.Length == 0 ? null : _builder.ToString();
    }
}
