using System.Text;
using LmCompare.Core;
using LmCompare.Corpus.Ingest;
using LmCompare.Corpus.Sources;
using LmCompare.Corpus.Tokenizers;
using LmCompare.Tests;

namespace LmCompare.Corpus.Tests;

/// <summary>
/// The parallel ingest (blocks of whole lines, workers with block-local ids, one thread making them corpus-wide) must
/// write what reading each document line by line writes, whatever the block size: checked against the sequential
/// reader on seeded random text full of the awkward cases (CRLF, lone CR, blank and whitespace-only lines, Unicode
/// spaces, a byte-order mark, invalid UTF-8, characters beyond the BMP, gzip).
/// </summary>
public class TokenizeStageTests
{
    private static readonly string[] Words = ["the", "cat", "sat", "on", "a", "mat", "😀", "𝑥", "naïve", "don't", ".", ",", "(", "Æsop"];
    private static readonly string[] Breaks = ["\n", "\r\n", "\r", "\n\n", " \n", "\u3000\n", "\t\r\n"];
    private static readonly string[] Spaces = [" ", " ", "  ", "\t", "\u00A0", "\u2003"];

    private static byte[] RandomText(Random random, int lines)
    {
        var bytes = new List<byte>();
        if (random.Next(3) == 0) bytes.AddRange([0xEF, 0xBB, 0xBF]);
        for (int l = 0; l < lines; l++)
        {
            int words = random.Next(0, 9);
            var line = new StringBuilder();
            for (int w = 0; w < words; w++) line.Append(Spaces[random.Next(Spaces.Length)]).Append(Words[random.Next(Words.Length)]);
            bytes.AddRange(Encoding.UTF8.GetBytes(line.ToString()));
            if (random.Next(10) == 0) bytes.AddRange([0xC3, 0x28, 0xFF]); // invalid sequences
            bytes.AddRange(Encoding.UTF8.GetBytes(Breaks[random.Next(Breaks.Length)]));
        }
        if (random.Next(2) == 0) bytes.AddRange(Encoding.UTF8.GetBytes("last line without a break"));
        return bytes.ToArray();
    }

    /// <summary>Every document's lines, read one by one with <see cref="DocumentReader"/>, as words.</summary>
    private static List<string> SequentialWords(IEnumerable<string> paths, TokenizerSettings settings)
    {
        var tokenizer = TokenizerFactory.Create(settings);
        var normalizer = new LineNormalizer("text");
        var buffer = new TokenBuffer();
        var words = new List<string>();
        foreach (string path in paths)
        {
            DocumentReader.ReadLines(SourceDocument.FromPath(path, path), raw =>
            {
                if (normalizer.Normalize(raw) is not { } line) return;
                tokenizer.Tokenize(line, buffer);
                for (int i = 0; i < buffer.Count; i++) words.Add(buffer.KeyString(i));
                words.Add("</s>");
            });
        }
        return words;
    }

    private static TokenizedCorpus Ingest(TempDirectory temp, string name, IngestOptions options, int blockBytes, int workers)
    {
        var workspace = new Workspace(temp.Combine("home"));
        new CorpusIngestor(workspace) { BlockBytes = blockBytes, Workers = workers }.Ingest(options with { Name = name });
        return TokenizedCorpus.Open(workspace, name);
    }

    [Theory]
    [InlineData(1, "whitespace")]
    [InlineData(2, "word")]
    [InlineData(3, "whitespace")]
    public void Ingest_TinyBlocksAndOneBlock_SameFilesAsLineByLine(int seed, string kind)
    {
        using var temp = new TempDirectory();
        var random = new Random(seed);
        string[] train = [temp.WriteBytes("src/a.txt", RandomText(random, 300)), temp.WriteBytes("src/b.txt.gz", RandomText(random, 200))];
        string valid = temp.WriteBytes("src/v.txt", RandomText(random, 50)), test = temp.WriteBytes("src/t.txt", RandomText(random, 50));
        var options = new IngestOptions(Name: "x", Paths: [], Tokenizer: new TokenizerSettings(kind), Vocabulary: new VocabularyOptions(1),
            TrainPaths: train, ValidPaths: [valid], TestPaths: [test]);

        var tiny = Ingest(temp, "tiny", options, blockBytes: 7, workers: 3);
        var whole = Ingest(temp, "whole", options, blockBytes: 1 << 20, workers: 1);

        var words = tiny.ReadTokens(Splits.Train).Select(id => tiny.Vocabulary.Tokens[id]).ToList();
        Assert.Equal(SequentialWords(train, options.Tokenizer), words);
        Assert.Equal(whole.Vocabulary.Tokens, tiny.Vocabulary.Tokens);
        foreach (int split in new[] { Splits.Train, Splits.Valid, Splits.Test })
        {
            Assert.Equal(whole.ReadTokens(split), tiny.ReadTokens(split));
            Assert.Equal(whole.SplitInfo(split), tiny.SplitInfo(split));
        }
        Assert.Equal(whole.Manifest.TrainTypeGrowth, tiny.Manifest.TrainTypeGrowth);
        Assert.Equal(whole.Manifest.Sources.Select(s => (s.Sha256, s.Lines, s.InvalidUtf8)),
            tiny.Manifest.Sources.Select(s => (s.Sha256, s.Lines, s.InvalidUtf8)));
        Assert.True(tiny.Manifest.Sources.Sum(s => s.InvalidUtf8) > 0);
    }

    [Fact]
    public void Ingest_SingleDocumentInTinyBlocks_SameLineBlocksAsOneBlock()
    {
        using var temp = new TempDirectory();
        string path = temp.WriteBytes("src/one.txt", RandomText(new Random(7), 400));
        var options = new IngestOptions(Name: "x", Paths: [path], Tokenizer: new TokenizerSettings("whitespace"),
            Vocabulary: new VocabularyOptions(1));

        var tiny = Ingest(temp, "tiny", options, blockBytes: 5, workers: 2);
        var whole = Ingest(temp, "whole", options, blockBytes: 1 << 20, workers: 1);

        foreach (int split in new[] { Splits.Train, Splits.Valid, Splits.Test })
        {
            Assert.Equal(whole.ReadTokens(split), tiny.ReadTokens(split));
            Assert.Equal(whole.SplitInfo(split), tiny.SplitInfo(split));
            Assert.Equal(whole.ReadDocuments(split)[0], tiny.ReadDocuments(split)[0]);
        }
        Assert.Equal(SequentialWords([path], options.Tokenizer).Count(w => w == "</s>"), tiny.Manifest.Sources[0].Lines);
    }

    [Fact]
    public void Ingest_BinaryThirdDocument_NamesItAfterReadingTheFirstTwo()
    {
        using var temp = new TempDirectory();
        string[] train = [temp.Write("src/a.txt", "one two\n"), temp.Write("src/b.txt", "three four\n"),
            temp.WriteBytes("src/c.txt", [(byte)'x', 0, (byte)'y'])];
        var options = new IngestOptions(Name: "x", Paths: [], Tokenizer: new TokenizerSettings("whitespace"),
            Vocabulary: new VocabularyOptions(1), TrainPaths: train, ValidPaths: [temp.Write("src/v.txt", "v\n")],
            TestPaths: [temp.Write("src/t.txt", "t\n")]);

        var error = Assert.Throws<InputException>(() => Ingest(temp, "bin", options, blockBytes: 3, workers: 2));
        Assert.Contains("c.txt: looks binary", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("home", "corpora", "bin")));
    }
}
