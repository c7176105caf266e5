namespace LmCompare.Core.Embeddings;

/// <summary>
/// One vector per vocabulary id (rows of <see cref="Dimensions"/> floats), compared by cosine similarity: nearest
/// neighbours, and analogies by 3CosAdd (Mikolov et al. 2013: the nearest word to b - a + c, a, b and c excluded).
/// The three reserved tokens are never answers, nor are words seen fewer than <see cref="MinCandidateCount"/> times in
/// training: their vectors rest on a handful of contexts (or barely moved from their initialisation) and, once
/// normalised, sit close to everything.
/// </summary>
public sealed class EmbeddingSpace
{
    private readonly float[] _unit; // rows scaled to length 1 (zero rows stay zero)

    public EmbeddingSpace(string name, Vocabulary vocabulary, float[] vectors, int dimensions, int minCandidateCount = 20)
    {
        MinCandidateCount = minCandidateCount;
        if (vectors.Length != vocabulary.Count * dimensions) throw new ArgumentException($"{vectors.Length} values are not {vocabulary.Count} x " +
            $"{dimensions}");
        Name = name;
        Vocabulary = vocabulary;
        Dimensions = dimensions;
        _unit = (float[])vectors.Clone();
        for (int id = 0; id < vocabulary.Count; id++)
        {
            var row = _unit.AsSpan(id * dimensions, dimensions);
            double norm = Math.Sqrt(Dot(row, row));
            if (norm > 0) foreach (ref float x in row) x = (float)(x / norm);
        }
    }

    public string Name { get; }
    public Vocabulary Vocabulary { get; }
    public int Dimensions { get; }
    public int MinCandidateCount { get; }

    public ReadOnlySpan<float> UnitVector(int id) => _unit.AsSpan(id * Dimensions, Dimensions);

    /// <summary>The id of a word; an unknown word is a usage error naming it.</summary>
    public int IdOf(string word)
    {
        int id = Vocabulary.IdOf(word);
        if (id == SpecialTokens.UnknownId && word != "<unk>") throw new InputException($"'{word}' is not in the vocabulary of {Name}");
        return id;
    }

    public List<(string Word, double Cosine)> Neighbours(string word, int n) => Nearest(UnitVector(IdOf(word)).ToArray(), n, [IdOf(word)]);

    /// <summary>a is to b as c is to ? (3CosAdd on unit vectors).</summary>
    public List<(string Word, double Cosine)> Analogy(string a, string b, string c, int n)
    {
        int ia = IdOf(a), ib = IdOf(b), ic = IdOf(c);
        var query = new float[Dimensions];
        for (int i = 0; i < Dimensions; i++) query[i] = UnitVector(ib)[i] - UnitVector(ia)[i] + UnitVector(ic)[i];
        return Nearest(query, n, [ia, ib, ic]);
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private List<(string Word, double Cosine)> Nearest(float[] query, int n, int[] exclude)
    {
        double norm = Math.Sqrt(Dot(query, query));
        var best = new List<(string, double)>();
        var scored = new (int Id, double Cosine)[Vocabulary.Count];
        for (int id = 0; id < Vocabulary.Count; id++)
            scored[id] = (id, norm == 0 ? 0 : Dot(UnitVector(id), query) / norm);
        foreach (var (id, cosine) in scored.OrderByDescending(s => s.Cosine).ThenBy(s => s.Id))
        {
            if (id < SpecialTokens.Count || exclude.Contains(id) || Vocabulary.CountOf(id) < MinCandidateCount) continue;
            best.Add((Vocabulary[id], cosine));
            if (best.Count == n) break;
        }
        return best;
    }
}
