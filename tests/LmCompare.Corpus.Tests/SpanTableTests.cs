using LmCompare.Corpus.Ingest;

namespace LmCompare.Corpus.Tests;

public class SpanTableTests
{
    [Fact]
    public void Intern_ManyStrings_IdsInOrderOfFirstSightAndStableAcrossGrowth()
    {
        var table = new SpanTable();
        var words = Enumerable.Range(0, 50_000).Select(i => "w" + (i * 7919 % 20_000)).ToArray();
        var expected = new Dictionary<string, int>();
        foreach (string word in words)
        {
            if (!expected.ContainsKey(word)) expected[word] = expected.Count + 1;
            Assert.Equal(expected[word], table.Intern(word));
        }
        Assert.Equal(20_000, table.Count);
        Assert.Equal("w7919", table[2].ToString());
    }

    [Fact]
    public void TakeTypes_HandsOverTheStringsWithHashesAndStartsEmpty()
    {
        var table = new SpanTable();
        table.Intern("b");
        table.Intern("");
        table.Intern("longer than eight chars");

        var types = table.TakeTypes();

        Assert.Equal(3, types.Count);
        Assert.Equal(["b", "", "longer than eight chars"], Enumerable.Range(1, 3).Select(t => types[t].ToString()));
        Assert.Equal(SpanTable.Hash("longer than eight chars"), types.Hash(3));
        Assert.Equal(0, table.Count);
        Assert.Equal(1, table.Intern("longer than eight chars"));
        types.Return();
    }
}
