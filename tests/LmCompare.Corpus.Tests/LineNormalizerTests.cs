using LmCompare.Corpus.Ingest;

namespace LmCompare.Corpus.Tests;

public class LineNormalizerTests
{
    [Fact]
    public void Normalize_BrownTagged_StripsLastSlashSuffix()
    {
        var normalizer = new LineNormalizer("brown-tagged");

        Assert.Equal("The Fulton 1/2 `` .", normalizer.Normalize("\tThe/at Fulton/np-tl 1/2/cd ``/`` ./."));
    }

    [Fact]
    public void Normalize_BlankLine_IsNull()
    {
        Assert.Null(new LineNormalizer("text").Normalize(" \t "));
        Assert.Null(new LineNormalizer("brown-tagged").Normalize(""));
    }

    [Fact]
    public void Normalize_Text_TrimsOnly()
    {
        Assert.Equal("a  b", new LineNormalizer("text").Normalize("  a  b \r"));
    }
}
