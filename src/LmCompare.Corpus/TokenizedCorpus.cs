using LmCompare.Core;
using LmCompare.Corpus.Ingest;
using LmCompare.Corpus.Tokenizers;

namespace LmCompare.Corpus;

/// <summary>
/// An ingested corpus on disk: manifest, vocabulary and one token file plus document index per split. Every model
/// reads its ids from here; none tokenises text itself.
/// </summary>
public sealed class TokenizedCorpus
{
    private TokenizedCorpus(string directory, CorpusManifest manifest, Vocabulary vocabulary)
    {
        Directory = directory;
        Manifest = manifest;
        Vocabulary = vocabulary;
    }

    public string Directory { get; }

    public CorpusManifest Manifest { get; }

    public Vocabulary Vocabulary { get; }

    public string Name => Manifest.Name;

    public string TokenPath(int split) => Path.Combine(Directory, Splits.Names[split] + ".bin");

    public string DocumentIndexPath(int split) => Path.Combine(Directory, Splits.Names[split] + ".docs");

    public ITokenizer CreateTokenizer() => TokenizerFactory.Create(Manifest.Tokenizer);

    /// <summary>SHA-256 of the corpus manifest: models record it and refuse a corpus that was re-ingested since.</summary>
    public string Fingerprint() =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(Directory, "manifest.json"))));

    /// <summary>The XxHash128 of the same manifest: the identity check of a model's open, which SHA-256 of a large corpus's
    /// manifest (3.7 MB on debian-docs, its sources listed) made a third of (eval/RESULTS.md).</summary>
    public string QuickFingerprint() => QuickFingerprintOf(Path.Combine(Directory, "manifest.json"));

    public static string QuickFingerprintOf(string manifestPath) =>
        Convert.ToHexStringLower(System.IO.Hashing.XxHash128.Hash(File.ReadAllBytes(manifestPath)));

    public SplitManifest SplitInfo(int split) => Manifest.Splits[Splits.Names[split]];

    /// <summary>All ids of a split, checked against the vocabulary and the manifest's token count.</summary>
    public int[] ReadTokens(int split)
    {
        var ids = TokenFile.ReadAll(TokenPath(split), Vocabulary.Count);
        long expected = SplitInfo(split).Tokens;
        if (ids.LongLength != expected)
            throw new InputException($"{TokenPath(split)}: holds {ids.LongLength} tokens, the manifest says {expected}");
        return ids;
    }

    public DocumentIndex ReadDocuments(int split) => DocumentIndex.Load(DocumentIndexPath(split), SplitInfo(split).Tokens);

    /// <summary>
    /// Tokenises a text file (.txt or .gz) as this corpus's documents were: same format, normalisation, tokenizer and
    /// vocabulary (unknown words become &lt;unk&gt;), &lt;/s&gt; after every line.
    /// </summary>
    public int[] EncodeFile(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: no such file");
        var tokenizer = CreateTokenizer();
        var normalizer = new LineNormalizer(Manifest.Format);
        var buffer = new TokenBuffer();
        var ids = new List<int>();
        Sources.DocumentReader.ReadLines(Sources.SourceDocument.FromPath(Path.GetFullPath(path), path), raw =>
        {
            if (normalizer.Normalize(raw) is not { } line) return;
            tokenizer.Tokenize(line, buffer);
            for (int i = 0; i < buffer.Count; i++) ids.Add(Vocabulary.IdOf(buffer.Key(i)));
            ids.Add(SpecialTokens.SentenceEndId);
        });
        return ids.ToArray();
    }

    /// <summary>
    /// Tokenises a prompt (one unfinished line, no &lt;/s&gt;) as the corpus's text was; every word outside the
    /// vocabulary becomes &lt;unk&gt; and is listed in <paramref name="unknown"/> (in the text's spelling).
    /// </summary>
    public int[] EncodePrompt(string text, List<string> unknown)
    {
        var tokenizer = CreateTokenizer();
        string line = new LineNormalizer(Manifest.Format).Normalize(text.ReplaceLineEndings(" ")) ?? "";
        var buffer = new TokenBuffer();
        tokenizer.Tokenize(line, buffer);
        var ids = new int[buffer.Count];
        for (int i = 0; i < buffer.Count; i++)
        {
            ids[i] = Vocabulary.IdOf(buffer.Key(i));
            if (ids[i] == SpecialTokens.UnknownId) unknown.Add(line[buffer.Source(i)]);
        }
        return ids;
    }

    /// <summary>Readable text of ids as the corpus's tokenizer writes it (no space before punctuation for words; exact bytes for BPE).</summary>
    public string Decode(IEnumerable<int> ids) => (_decoder ??= CreateTokenizer()).Detokenize(ids.Select(id => Vocabulary[id]).ToList());

    private ITokenizer? _decoder; // streaming generation decodes after every token: build the tokenizer once

    /// <summary>Opens a complete corpus; a missing or incomplete one is an <see cref="InputException"/>.</summary>
    public static TokenizedCorpus Open(Workspace workspace, string name)
    {
        CorpusNames.Validate(name);
        string directory = workspace.CorpusDirectory(name);
        string manifestPath = Path.Combine(directory, "manifest.json");
        if (!System.IO.Directory.Exists(directory))
            throw new InputException($"corpus '{name}' not found in {workspace.CorporaDirectory} (see lmc corpus list)");
        if (!File.Exists(manifestPath))
            throw new InputException($"{directory}: not an ingested corpus (no manifest.json; ingestion never finished or these are source files)");
        var manifest = CorpusManifest.Load(manifestPath);
        var vocabulary = Vocabulary.Load(Path.Combine(directory, "vocab.txt"));
        if (vocabulary.Count != manifest.Vocabulary.Size)
            throw new InputException($"{Path.Combine(directory, "vocab.txt")}: {vocabulary.Count} tokens, the manifest says " +
                $"{manifest.Vocabulary.Size}");
        return new TokenizedCorpus(directory, manifest, vocabulary);
    }

    /// <summary>Names of every complete corpus under the workspace, sorted.</summary>
    public static IReadOnlyList<string> List(Workspace workspace)
    {
        if (!System.IO.Directory.Exists(workspace.CorporaDirectory)) return [];
        return System.IO.Directory.EnumerateDirectories(workspace.CorporaDirectory)
            .Where(d => File.Exists(Path.Combine(d, "manifest.json")) && !Path.GetFileName(d).StartsWith('.'))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
