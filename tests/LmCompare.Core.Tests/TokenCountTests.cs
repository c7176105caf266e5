using LmCompare.Core;

namespace LmCompare.Core.Tests;

public class TokenCountTests
{
    [Theory]
    [InlineData("1000000", 1_000_000L)]
    [InlineData("200k", 200_000L)]
    [InlineData("200M", 200_000_000L)]
    [InlineData("1G", 1_000_000_000L)]
    [InlineData("1.5g", 1_500_000_000L)]
    [InlineData(" 3B ", 3_000_000_000L)]
    public void Parse_Suffixes_PowersOfTen(string text, long expected) => Assert.Equal(expected, TokenCount.Parse(text, "--tokens"));

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-5M")]
    [InlineData("5X")]
    public void Parse_NotACount_UsageErrorNamingTheOption(string text)
    {
        var error = Assert.Throws<UsageException>(() => TokenCount.Parse(text, "--tokens"));
        Assert.StartsWith("--tokens:", error.Message);
    }
}
