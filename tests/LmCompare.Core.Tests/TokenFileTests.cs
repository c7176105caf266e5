using LmCompare.Core;
using LmCompare.Tests;

namespace LmCompare.Core.Tests;

public class TokenFileTests
{
    [Fact]
    public void WriteRead_RoundTrip_IsLittleEndianInt32()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("t.bin");
        using (var writer = new TokenFileWriter(path))
        {
            writer.Write([3, 1, 258]);
            writer.Complete();
        }

        Assert.Equal(new byte[] { 3, 0, 0, 0, 1, 0, 0, 0, 2, 1, 0, 0 }, File.ReadAllBytes(path));
        Assert.Equal([3, 1, 258], TokenFile.ReadAll(path, 300));
    }

    [Fact]
    public void ReadAll_TruncatedFile_Throws()
    {
        using var temp = new TempDirectory();
        string path = temp.WriteBytes("t.bin", [1, 0, 0, 0, 2, 0]);

        var error = Assert.Throws<InputException>(() => TokenFile.ReadAll(path, 10));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void ReadAll_IdOutsideVocabulary_Throws()
    {
        using var temp = new TempDirectory();
        string path = temp.WriteBytes("t.bin", [1, 0, 0, 0, 9, 0, 0, 0]);

        var error = Assert.Throws<InputException>(() => TokenFile.ReadAll(path, 5));

        Assert.Contains("position 1", error.Message);
    }

    [Fact]
    public void DocumentIndex_SaveLoad_RoundTrip()
    {
        using var temp = new TempDirectory();
        new DocumentIndex([0, 5, 12]).Save(temp.Combine("d.docs"));

        var index = DocumentIndex.Load(temp.Combine("d.docs"), 12);

        Assert.Equal(2, index.Documents);
        Assert.Equal((5L, 12L), index[1]);
        Assert.Throws<InputException>(() => DocumentIndex.Load(temp.Combine("d.docs"), 13));
    }

    [Fact]
    public void TokenBuffer_ManyTokens_GrowsAndKeepsKeysAndSpans()
    {
        var buffer = new TokenBuffer();
        for (int i = 0; i < 1000; i++) buffer.Add($"w{i}", i * 3, 2);

        Assert.Equal(1000, buffer.Count);
        Assert.Equal("w999", buffer.KeyString(999));
        Assert.Equal(new Range(2997, 2999), buffer.Source(999));
        buffer.Clear();
        Assert.Equal(0, buffer.Count);
    }
}
