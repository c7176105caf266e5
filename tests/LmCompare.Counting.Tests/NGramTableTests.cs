using LmCompare.Counting.NGrams;

namespace LmCompare.Counting.Tests;

public class NGramTableTests
{
    private const ulong Shared = 0x1234_5678_0000_0005UL; // home slot 5 under any mask below 2^20
    private const ulong OtherTag = Shared ^ (1UL << 20); // the same home slot under those masks, other low 32 bits

    [Fact]
    public void FindOrAdd_SameHashBitsOrSameSlot_KeptApartThroughGrowth()
    {
        var table = new NGramTable(2, capacity: 4); // 16 slots
        int a = table.FindOrAdd([1, 2], Shared, out bool addedA);
        int b = table.FindOrAdd([3, 4], Shared, out bool addedB); // the same tag: told apart by the words
        int c = table.FindOrAdd([5, 6], OtherTag, out bool addedC); // the same slot, another tag
        Assert.True(addedA && addedB && addedC);
        Assert.Equal([0, 1, 2], new[] { a, b, c });

        for (int i = 0; i < 300; i++) table.FindOrAdd([100 + i, i], (ulong)(i + 1) * 0x9E37_79B9_7F4A_7C15UL, out _); // grows it 5 times

        Assert.Equal(303, table.Count);
        Assert.Equal(a, table.Find([1, 2], Shared));
        Assert.Equal(b, table.Find([3, 4], Shared));
        Assert.Equal(c, table.Find([5, 6], OtherTag));
        Assert.Equal(-1, table.Find([1, 2], OtherTag)); // the slot holds an entry with this tag, other words
        Assert.Equal(-1, table.Find([7, 8], Shared));
        for (int i = 0; i < 300; i++) Assert.Equal(3 + i, table.Find([100 + i, i], (ulong)(i + 1) * 0x9E37_79B9_7F4A_7C15UL));
        Assert.Equal(b, table.FindOrAdd([3, 4], Shared, out bool addedAgain));
        Assert.False(addedAgain);
        Assert.Equal([3, 4], table.Words(b).ToArray());
    }

    [Fact]
    public void FindContexts_GroupsAndARemainder_SameAsFindingEachContext()
    {
        var random = new Random(7);
        var contexts = new NGramTable(2);
        for (int i = 0; i < 500; i++) contexts.FindOrAdd([random.Next(40), random.Next(40)], out _);
        var trigrams = new NGramTable(3);
        for (int i = 0; i < 1000; i++) trigrams.FindOrAdd([random.Next(50), random.Next(50), random.Next(50)], out _); // some contexts absent
        var index = new int[trigrams.Count];

        contexts.FindContexts(trigrams, 3, trigrams.Count, index); // 16-lookup groups from an offset, and a shorter last group

        var expected = Enumerable.Range(0, trigrams.Count).Select(i => i < 3 ? 0 : contexts.Find(trigrams.Words(i)[..^1])).ToArray();
        Assert.Equal(expected, index);
        Assert.Contains(-1, index);
        Assert.True(index.Count(i => i > 0) > 100);
    }
}
