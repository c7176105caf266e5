using System.Globalization;
using System.IO.Compression;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>Line-by-line ARPA parsing with the file name and line number in every error.</summary>
internal sealed class ArpaReader : IDisposable
{
    private readonly string _path;
    private readonly StreamReader _reader;
    private int _line;

    public ArpaReader(string path)
    {
        _path = path;
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) stream = new GZipStream(stream, CompressionMode.Decompress);
        _reader = new StreamReader(stream);
    }

    private InputException Error(string message) => new($"{_path}:{_line}: {message}");

    private string? Next()
    {
        string? line = _reader.ReadLine();
        if (line is not null) _line++;
        return line;
    }

    private string NextNonBlank(string expecting)
    {
        string? line;
        do { line = Next(); } while (line is not null && line.Trim().Length == 0);
        return line?.Trim() ?? throw Error($"unexpected end of file, expected {expecting}");
    }

    /// <summary>The counts of <c>\data\</c>: ngram 1=..., ngram 2=..., in order.</summary>
    public List<long> ReadHeader()
    {
        if (NextNonBlank("\\data\\") != "\\data\\") throw Error("expected \\data\\");
        var counts = new List<long>();
        while (true)
        {
            string? line = Next();
            if (line is null) throw Error("unexpected end of file in \\data\\");
            line = line.Trim();
            if (line.Length == 0) { if (counts.Count > 0) break; continue; }
            if (!line.StartsWith("ngram ", StringComparison.Ordinal)) throw Error($"expected 'ngram N=count', got '{line}'");
            int eq = line.IndexOf('=');
            if (eq < 0 || !int.TryParse(line.AsSpan(6, eq - 6), NumberStyles.None, CultureInfo.InvariantCulture, out int order)
                || !long.TryParse(line.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                throw Error($"bad count line '{line}'");
            if (order != counts.Count + 1) throw Error($"expected ngram {counts.Count + 1}=..., got order {order}");
            if (order > KneserNeySettings.MaxOrder) throw Error($"order {order} is above the supported {KneserNeySettings.MaxOrder}");
            counts.Add(count);
        }
        return counts;
    }

    public NGramTable ReadSection(int order, long expected, int highest, Vocabulary vocabulary, NGramTable? unigrams)
    {
        string header = NextNonBlank($"\\{order}-grams:");
        if (header != $"\\{order}-grams:") throw Error($"expected \\{order}-grams:, got '{header}' (missing section?)");
        var table = new NGramTable(order, (int)Math.Min(expected, int.MaxValue - 1));
        var probs = new List<float>();
        var backoffs = new List<float>();
        Span<int> words = stackalloc int[order];
        while (true)
        {
            string? line = Next();
            if (line is null) throw Error($"unexpected end of file in \\{order}-grams:");
            if (line.Trim().Length == 0) break;
            ParseEntry(line, order, highest, vocabulary, unigrams, words, out float prob, out float backoff);
            table.FindOrAdd(words, out bool added);
            if (!added) throw Error($"duplicate {order}-gram '{line.Split('\t')[1]}'");
            probs.Add(prob);
            backoffs.Add(backoff);
        }
        if (table.Count != expected) throw Error($"\\{order}-grams: holds {table.Count} entries, \\data\\ says {expected}");
        table.AllocateValues();
        probs.CopyTo(table.Prob);
        backoffs.CopyTo(table.Backoff);
        return table;
    }

    private void ParseEntry(string line, int order, int highest, Vocabulary vocabulary, NGramTable? unigrams, Span<int> words, out float prob,
        out float backoff)
    {
        var fields = line.Split('\t');
        if (fields.Length < 2 || fields.Length > 3) throw Error($"expected 'log10prob<TAB>words[<TAB>backoff]', got '{line}'");
        if (!float.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out prob)) throw Error($"'{fields[0]}' is not a number");
        backoff = 0f;
        if (fields.Length == 3 && !float.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture,
            out backoff)) throw Error($"'{fields[2]}' is not a number");
        if (fields.Length == 3 && order == highest && backoff != 0) throw Error("the highest order cannot have backoffs");
        // log10: a probability is at most 1 (log 0); -inf is a probability of 0, as KenLM reads it
        if (!(prob <= 0f)) throw Error($"log10 probability {fields[0]} is above 0 or not a number");
        if (!float.IsFinite(backoff)) throw Error($"log10 backoff {fields[2]} is not a finite number");
        var tokens = fields[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length != order) throw Error($"expected {order} words, got {tokens.Length}");
        for (int j = 0; j < order; j++)
        {
            if (!vocabulary.Contains(tokens[j]))
                throw Error(order == 1 ? $"word '{tokens[j]}' is not in the corpus vocabulary" : $"word '{tokens[j]}' is not in the unigram section");
            words[j] = vocabulary.IdOf(tokens[j]);
            if (unigrams is not null && unigrams.Find(words.Slice(j, 1)) < 0) throw Error($"word '{tokens[j]}' is not in the unigram section");
        }
    }

    public void ReadEnd()
    {
        string? line;
        do { line = Next(); } while (line is not null && line.Trim().Length == 0);
        if (line?.Trim() != "\\end\\") throw Error(line is null ? "missing \\end\\"
            : $"expected \\end\\, got '{line.Trim()}' (more sections than \\data\\ lists?)");
    }

    public void Dispose() => _reader.Dispose();
}
