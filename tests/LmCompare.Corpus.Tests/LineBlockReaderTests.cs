using System.Text;
using LmCompare.Core;
using LmCompare.Corpus.Sources;
using LmCompare.Tests;

namespace LmCompare.Corpus.Tests;

public class LineBlockReaderTests
{
    private static List<byte[]> ReadAll(string path, int blockBytes, out DocumentReadResult result)
    {
        var blocks = new List<byte[]>();
        using var reader = new LineBlockReader(SourceDocument.FromPath(path, "doc.txt"), blockBytes);
        while (reader.TryRead(out var block, out int length)) blocks.Add(block[..length]);
        result = reader.Finish(invalidUtf8: 0);
        return blocks;
    }

    [Theory]
    [InlineData("a.txt")]
    [InlineData("a.txt.gz")]
    public void TryRead_SmallBlocks_EveryBlockEndsAtALineBreakAndTogetherTheyAreTheText(string name)
    {
        using var temp = new TempDirectory();
        string text = "first line\r\nsecond\rthird is a much longer line than any block\n\nlast";
        string path = temp.Write(name, text);

        var blocks = ReadAll(path, blockBytes: 8, out var result);

        Assert.Equal(text, Encoding.UTF8.GetString(blocks.SelectMany(b => b).ToArray()));
        Assert.All(blocks.SkipLast(1), b => Assert.Contains(b[^1], "\r\n"u8.ToArray()));
        Assert.EndsWith("\n\nlast", Encoding.UTF8.GetString(blocks[^1]), StringComparison.Ordinal);
        Assert.True(blocks.Count >= 3);
        Assert.Equal(text.Length, result.TextBytes);
        Assert.Equal(DocumentReader.ReadLines(SourceDocument.FromPath(path, "doc.txt"), _ => { }).Sha256, result.Sha256);
    }

    [Fact]
    public void TryRead_NulByte_RefusesAsBinaryNamingTheFile()
    {
        using var temp = new TempDirectory();
        string path = temp.WriteBytes("bin.txt", [(byte)'a', (byte)'\n', 0]);

        var error = Assert.Throws<InputException>(() => ReadAll(path, 4, out _));

        Assert.Equal("doc.txt: looks binary (NUL byte at offset 2); only UTF-8 text is read", error.Message);
    }
}
