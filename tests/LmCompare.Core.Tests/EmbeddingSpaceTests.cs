using LmCompare.Core;
using LmCompare.Core.Embeddings;

namespace LmCompare.Core.Tests;

public class EmbeddingSpaceTests
{
    // ids 3.. = man, woman, king, queen, rare; 2-d vectors: gender on x, royalty on y
    private static EmbeddingSpace Space()
    {
        var vocabulary = Vocabulary.Build(new Dictionary<string, long> { ["man"] = 50, ["woman"] = 49, ["king"] = 48, ["queen"] = 47, ["rare"] = 2 },
            new VocabularyOptions());
        float[] vectors = [0, 0, 0, 0, 0, 0, /* man */ 1, 0.1f, /* woman */ -1, 0.1f, /* king */ 1, 1, /* queen */ -1, 1, /* rare */ -0.9f, 1.05f];
        return new EmbeddingSpace("toy", vocabulary, vectors, 2, minCandidateCount: 10);
    }

    [Fact]
    public void Analogy_ManWomanKing_Queen() => Assert.Equal("queen", Space().Analogy("man", "woman", "king", 1)[0].Word);

    [Fact]
    public void Neighbours_ExcludeTheWordSpecialsAndRareWords()
    {
        var nearest = Space().Neighbours("queen", 4).Select(n => n.Word).ToList();
        Assert.Equal("woman", nearest[0]); // "rare" would be nearer but is seen only twice
        Assert.DoesNotContain("queen", nearest);
        Assert.DoesNotContain("rare", nearest);
        Assert.DoesNotContain("<unk>", nearest);
    }

    [Fact]
    public void Neighbours_UnknownWord_InputError() =>
        Assert.Contains("not in the vocabulary", Assert.Throws<InputException>(() => Space().Neighbours("prince", 3)).Message);
}
