using System.Security.Cryptography;
using LmCompare.Core;
using LmCompare.Corpus.Sources;
using LmCompare.Tests;

namespace LmCompare.Corpus.Tests;

public class DocumentReaderTests
{
    private static (List<string> Lines, DocumentReadResult Result) Read(string path)
    {
        var lines = new List<string>();
        var result = DocumentReader.ReadLines(SourceDocument.FromPath(path, Path.GetFileName(path)), lines.Add);
        return (lines, result);
    }

    [Fact]
    public void ReadLines_Gzip_DecompressesAndHashesTheStoredFile()
    {
        using var temp = new TempDirectory();
        string path = temp.Write("a.txt.gz", "\uFEFFone\r\ntwo\n");

        var (lines, result) = Read(path);

        Assert.Equal(["one", "two"], lines);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), result.Sha256);
        Assert.Equal(new FileInfo(path).Length, result.FileBytes);
        Assert.Equal(12, result.TextBytes);
    }

    [Fact]
    public void ReadLines_TruncatedGzip_Throws()
    {
        using var temp = new TempDirectory();
        string path = temp.Write("a.txt.gz", string.Join('\n', Enumerable.Range(0, 5000).Select(i => $"line {i} {i * 7919 % 1000}")));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InputException>(() => Read(path));

        Assert.Contains("a.txt.gz: truncated or corrupt gzip", error.Message);
    }

    [Fact]
    public void ReadLines_TinyTruncatedGzip_Throws()
    {
        using var temp = new TempDirectory();
        string path = temp.WriteBytes("a.gz", [0x1f, 0x8b, 8, 0, 0, 0]);

        Assert.Throws<InputException>(() => Read(path));
    }

    [Fact]
    public void ReadLines_NulByte_RefusesAsBinary()
    {
        using var temp = new TempDirectory();
        string path = temp.WriteBytes("b.txt", [(byte)'a', (byte)'\n', 0, 1, 2]);

        var error = Assert.Throws<InputException>(() => Read(path));

        Assert.Contains("b.txt: looks binary (NUL byte at offset 2)", error.Message);
    }

    [Fact]
    public void ReadLines_InvalidUtf8_ReplacesAndCounts()
    {
        using var temp = new TempDirectory();
        string path = temp.WriteBytes("c.txt", [(byte)'a', 0xff, (byte)'b', 0xc3, (byte)'\n', (byte)'c']);

        var (lines, result) = Read(path);

        Assert.Equal(["a\uFFFDb\uFFFD", "c"], lines);
        Assert.Equal(2, result.InvalidUtf8);
    }

    [Fact]
    public void Expand_Directory_IsRecursiveSortedAndFiltered()
    {
        using var temp = new TempDirectory();
        temp.Write("d/b.txt", "x");
        temp.Write("d/a/z.gz", "x");
        temp.Write("d/c.md", "x");
        temp.Write("d/a.txt", "x");

        var documents = SourceDiscovery.Expand([temp.Combine("d")]);

        Assert.Equal(["a.txt", "a/z.gz", "b.txt"], documents.Select(d => Path.GetRelativePath(temp.Combine("d"), d.FullPath)));
        Assert.True(documents[1].IsGzip);
    }

    [Fact]
    public void Expand_MissingPathOrEmptyDirectory_Throws()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("empty"));

        Assert.Contains("no such file", Assert.Throws<InputException>(() => SourceDiscovery.Expand([temp.Combine("nope")])).Message);
        Assert.Contains("no .txt or .gz", Assert.Throws<InputException>(() => SourceDiscovery.Expand([temp.Combine("empty")])).Message);
    }
}
