using LmCompare.Evaluation.Analysis;

namespace LmCompare.Evaluation.Tests;

public class NotedKeySetTests
{
    [Fact]
    public void AddMarkSeen_ManyKeysThroughGrowth_AnswersLikeADictionary()
    {
        var random = new Random(3);
        var set = new NotedKeySet();
        var expected = new Dictionary<ulong, bool>();
        // 0, the largest key, small and random ones: more than the first table holds, so it grows several times
        var keys = new List<ulong> { 0, ulong.MaxValue, 1, 2 };
        for (int i = 0; i < 20_000; i++) keys.Add(random.Next(3) == 0 ? (ulong)random.Next(5000) : (ulong)random.NextInt64());
        foreach (ulong key in keys) { set.Add(key); expected.TryAdd(key, false); }
        foreach (ulong key in keys.Where((_, i) => i % 3 == 0).Append(12345678901UL)) // the last was never noted: ignored
        {
            set.MarkSeen(key);
            if (expected.ContainsKey(key)) expected[key] = true;
        }

        Assert.Equal(expected.Count, set.Count);
        foreach (var (key, seen) in expected)
        {
            Assert.True(set.TryGetSeen(key, out bool actual), $"key {key} lost");
            Assert.Equal(seen, actual);
        }
        Assert.False(set.TryGetSeen(12345678901UL, out _));
    }

    [Fact]
    public void MarkSeen_ZeroNeverNoted_StaysAbsent()
    {
        var set = new NotedKeySet();
        set.MarkSeen(0);
        Assert.False(set.TryGetSeen(0, out _));
        set.Add(0);
        Assert.True(set.TryGetSeen(0, out bool seen));
        Assert.False(seen);
    }
}
