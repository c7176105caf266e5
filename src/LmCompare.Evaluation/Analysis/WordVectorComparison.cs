using LmCompare.Core;
using LmCompare.Core.Embeddings;

namespace LmCompare.Evaluation.Analysis;

/// <summary>The nearest words of one probe word in one vector space.</summary>
public sealed record NeighbourRow(string Word, string Space, IReadOnlyList<string> Nearest);

/// <summary>
/// Whether counts also put "king" near "queen": the nearest neighbours of a few frequent words under each model's word
/// vectors, side by side. The probe words are a fixed list of common nouns and verbs where the corpus has them often
/// enough, topped up with frequent alphabetic words past the function words.
/// </summary>
public static class WordVectorComparison
{
    private static readonly string[] Preferred = ["said", "man", "time", "house", "money", "king", "good", "war", "water", "day", "whale", "sea"];

    public static List<string> ProbeWords(Vocabulary vocabulary, int count = 6, int minCount = 50)
    {
        var words = Preferred.Where(w => vocabulary.Contains(w) && vocabulary.CountOf(vocabulary.IdOf(w)) >= minCount).Take(count).ToList();
        for (int id = SpecialTokens.Count + 40; id < vocabulary.Count && words.Count < count; id += 7)
        {
            string w = vocabulary[id];
            if (w.Length >= 3 && w.All(char.IsLetter) && !words.Contains(w)) words.Add(w);
        }
        return words;
    }

    public static List<NeighbourRow> Compare(IReadOnlyList<EmbeddingSpace> spaces, IReadOnlyList<string> words, int n = 8) =>
        [.. words.SelectMany(word
            => spaces.Select(space => new NeighbourRow(word, space.Name, space.Neighbours(word, n).Select(x => x.Word).ToList())))];
}
