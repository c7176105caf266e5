using LmCompare.Core;
using LmCompare.Corpus.Sources;

namespace LmCompare.Corpus.Ingest;

/// <summary>The three splits, in the order their files are written.</summary>
public static class Splits
{
    public const int Train = 0, Valid = 1, Test = 2;

    public static readonly IReadOnlyList<string> Names = ["train", "valid", "test"];

    public static int Parse(string name) => Names.IndexOf(name) is var i and >= 0
        ? i
        : throw new UsageException($"unknown split '{name}' (expected train, valid or test)");

    private static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}

/// <summary>A document and the split it goes to.</summary>
public sealed record PlannedDocument(SourceDocument Source, int Split, long SizeHint);

/// <summary>
/// Which document goes to which split. With <see cref="LineBlocks"/> the one document is cut into three contiguous
/// blocks of lines instead (train first), since a single document cannot be split whole.
/// </summary>
public sealed record SplitPlan(IReadOnlyList<PlannedDocument> Documents, bool LineBlocks, string Mode);

/// <summary>Plans splits deterministically from the documents, the shares and the seed.</summary>
public static class SplitPlanner
{
    /// <summary>
    /// Shuffles the documents with <paramref name="seed"/>, then gives test and valid whole documents until each has at
    /// least its share of the text bytes (at least one document when its share is positive); the rest is training.
    /// </summary>
    public static SplitPlan ByFractions(IReadOnlyList<SourceDocument> documents, double[] fractions, int seed)
    {
        IngestOptions.ValidateFractions(fractions);
        var sizes = documents.Select(DocumentReader.SizeHint).ToArray();
        if (documents.Count == 1)
            return new SplitPlan([new PlannedDocument(documents[0], Splits.Train, sizes[0])], LineBlocks: true, "line-blocks");
        int needed = fractions.Count(f => f > 0);
        if (documents.Count < needed)
            throw new UsageException($"--split {string.Join(',', fractions)} needs at least {needed} documents, got {documents.Count}; "
                + "give one file (split by lines) or use --train/--valid/--test");

        var order = Enumerable.Range(0, documents.Count).ToArray();
        new Random(seed).Shuffle(order);
        var split = new int[documents.Count];
        long total = sizes.Sum();
        int next = 0;
        foreach (int s in new[] { Splits.Test, Splits.Valid })
        {
            if (fractions[s] <= 0) continue;
            double target = fractions[s] * total;
            long taken = 0;
            int reserve = (s == Splits.Test && fractions[Splits.Valid] > 0 ? 1 : 0) + 1; // keep a document for valid and train
            do
            {
                int doc = order[next++];
                split[doc] = s;
                taken += sizes[doc];
            } while (taken < target && documents.Count - next > reserve);
        }
        for (; next < order.Length; next++) split[order[next]] = Splits.Train;
        var planned = Enumerable.Range(0, documents.Count)
            .Select(i => new PlannedDocument(documents[i], split[i], sizes[i]))
            .OrderBy(d => d.Split) // stable: keeps path order within a split
            .ToList();
        return new SplitPlan(planned, LineBlocks: false, "documents");
    }

    /// <summary>Documents named per split on the command line.</summary>
    public static SplitPlan Explicit(IReadOnlyList<SourceDocument> train, IReadOnlyList<SourceDocument> valid, IReadOnlyList<SourceDocument> test)
    {
        var planned = new List<PlannedDocument>();
        void Add(IReadOnlyList<SourceDocument> docs, int s)
            => planned.AddRange(docs.Select(d => new PlannedDocument(d, s, DocumentReader.SizeHint(d))));
        Add(train, Splits.Train);
        Add(valid, Splits.Valid);
        Add(test, Splits.Test);
        var duplicate = planned.GroupBy(d => d.Source.FullPath).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new UsageException($"{duplicate.First().Source.DisplayPath}: given for more than one split");
        return new SplitPlan(planned, LineBlocks: false, "explicit");
    }
}
