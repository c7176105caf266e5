using LmCompare.Corpus.Models;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Counting.NGrams.Mapped;

namespace LmCompare.Counting.NGrams;

/// <summary>Opens a built n-gram model: manifest, its corpus's vocabulary (checked) and every n-gram from the FASTER store.</summary>
public static class NGramModelLoader
{
    public static (NGramModelManifest Manifest, string Directory) ReadManifest(Workspace workspace, string name)
    {
        string directory = ModelManifestFile.Locate(workspace, name);
        return (NGramModelManifest.Load(Path.Combine(directory, "manifest.json")), directory);
    }

    /// <summary>The model scored from its file (<see cref="NGramFileModel"/>, its lowest orders cached within
    /// <paramref name="cacheBytes"/>), its corpus checked.</summary>
    public static NGramFileModel OpenFile(Workspace workspace, string name, long cacheBytes)
    {
        var (manifest, directory) = ReadManifest(workspace, name);
        manifest.OpenCorpus(workspace, "(it was re-ingested); rebuild the model");
        return NGramFileModel.Open(Path.Combine(directory, NGramModelFile.FileName), manifest.NGramCounts, cacheBytes);
    }

    /// <summary>
    /// The model scored in place, through the file its <c>--format</c> named: <c>ngrams.probing</c> or <c>ngrams.trie</c>
    /// mapped (nothing read at open but the header; the checksum runs beside the scoring, see
    /// <see cref="INGramLookup.EnsureIntact"/>), or, for a model built before either, its <c>ngrams.bin</c> (<see cref="OpenFile"/>).
    /// </summary>
    public static INGramLookup OpenScoring(Workspace workspace, string name, long cacheBytes)
    {
        string directory = ModelManifestFile.Locate(workspace, name);
        var manifest = NGramModelManifest.LoadScoringFields(Path.Combine(directory, ModelManifestFile.FileName));
        if (manifest.ScoringFormat is null) return OpenFile(workspace, name, cacheBytes);
        if (manifest.ScoringFormat is not (ProbingNGramModel.FormatName or TrieNGramModel.FormatName))
            throw new InputException($"model {name}: scoring format '{manifest.ScoringFormat}' is not one this version reads; rebuild the model");
        // the corpus fingerprint covers the vocabulary size
        ModelManifest.CheckCorpus(workspace, manifest.Name, manifest.Corpus, manifest.CorpusFingerprint, "(it was re-ingested); rebuild the model",
            manifest.CorpusQuickFingerprint);
        ulong source = SourceChecksum(directory);
        return manifest.ScoringFormat == TrieNGramModel.FormatName
            ? TrieNGramModel.Open(Path.Combine(directory, TrieNGramModel.FileName), manifest.NGramCounts, manifest.VocabularySize, source)
            : ProbingNGramModel.Open(Path.Combine(directory, ProbingNGramModel.FileName), manifest.NGramCounts, manifest.VocabularySize, source);
    }

    /// <summary>Whether the model has <c>ngrams.trie</c>, which <see cref="OpenMapped"/> reads (models built before it do not).</summary>
    public static bool HasTrie(NGramModelManifest manifest) => manifest.TrieBytes > 0;

    /// <summary>
    /// The model as a language model read in place from <c>ngrams.trie</c>: scores, whole distributions and exact top-k ranks
    /// (<see cref="TrieNGramLanguageModel"/>), its corpus's vocabulary checked; the file's checksum runs in the background
    /// (<see cref="TrieNGramLanguageModel.EnsureIntact"/>).
    /// </summary>
    /// <param name="vocabulary">The corpus's vocabulary when the caller has it open (the corpus is then checked by its
    /// manifest's fingerprint only), else it is loaded.</param>
    public static TrieNGramLanguageModel OpenMapped(Workspace workspace, string name, Vocabulary? vocabulary = null)
    {
        var (manifest, directory) = ReadManifest(workspace, name);
        if (!HasTrie(manifest)) throw new InputException($"model {name} has no ngrams.trie (built by an earlier version); rebuild the model");
        vocabulary = manifest.Vocabulary(workspace, vocabulary, "(it was re-ingested); rebuild the model");
        var trie = TrieNGramModel.Open(Path.Combine(directory, TrieNGramModel.FileName), manifest.NGramCounts, vocabulary.Count,
            SourceChecksum(directory));
        long total = manifest.NGramCounts.Sum();
        return new TrieNGramLanguageModel(name, vocabulary, trie, new ModelFootprint(total, trie.Bytes, total));
    }

    private static ulong SourceChecksum(string directory)
    {
        string bin = Path.Combine(directory, NGramModelFile.FileName);
        if (!File.Exists(bin)) throw new InputException($"{bin}: the model file is missing; rebuild the model");
        return ProbingWriter.SourceChecksum(bin);
    }

    /// <summary>
    /// Loads the model whole into hash tables (every query kind, whole distributions included). One n-gram of order k takes
    /// about 4k + 32 bytes so (words, two counts, probability, backoff, a slot); a model larger than
    /// <paramref name="memoryBytes"/> is refused in one line that names the file scorer instead.
    /// </summary>
    public static NGramModel Load(Workspace workspace, string name, long memoryBytes = long.MaxValue)
    {
        var (manifest, directory) = ReadManifest(workspace, name);
        long bytes = manifest.NGramCounts.Select((count, k) => count * (4L * (k + 1) + 32)).Sum();
        if (bytes > memoryBytes)
            throw new InputException($"model {name}: {manifest.NGramCounts.Sum():N0} n-grams take about {bytes / 1e9:0.0} GB loaded whole, " +
                $"more than {memoryBytes / 1e9:0.0} GB; score it from its file with lmc ngram eval {name} --memory SIZE");
        var corpus = manifest.OpenCorpus(workspace, "(it was re-ingested); rebuild the model");
        var tables = Rebuild(Path.Combine(directory, NGramModelFile.FileName), manifest, corpus.Vocabulary.Count);
        var discounts = manifest.Discounts.Select(d => new Discount(d[0], d[1], d[2])).ToArray();
        var data = new NGramModelData(tables, discounts, Enumerable.Range(0, corpus.Vocabulary.Count).ToArray());
        long total = manifest.NGramCounts.Sum();
        return new NGramModel(name, corpus.Vocabulary, data, new ModelFootprint(total, manifest.BytesOnDisk, total));
    }

    /// <summary>Spells out every n-gram from its (context, word) record, order by order, so table index = stored index.</summary>
    private static NGramTable[] Rebuild(string path, NGramModelManifest manifest, int vocabularySize)
    {
        var tables = new NGramTable[manifest.Order];
        NGramModelFile.Read(path, manifest.NGramCounts, (k, records) =>
        {
            var table = tables[k - 1] = new NGramTable(k, Math.Max(16, records.Length));
            Span<int> words = stackalloc int[k];
            for (int i = 0; i < records.Length; i++)
            {
                var record = records[i];
                if ((uint)record.Word >= (uint)vocabularySize || (k > 1 && (uint)record.Context >= (uint)tables[k - 2].Count))
                    throw new InputException($"{path}: the model file is corrupt ({k}-gram {i} is invalid)");
                if (k > 1) tables[k - 2].Words(record.Context).CopyTo(words);
                words[k - 1] = record.Word;
                table.FindOrAdd(words, out bool added);
                if (!added) throw new InputException($"{path}: the model file is corrupt ({k}-gram {i} is a duplicate)");
            }
            table.AllocateValues();
            for (int i = 0; i < records.Length; i++)
            {
                table.Adjusted[i] = records[i].Count;
                table.Prob[i] = records[i].Prob;
                table.Backoff[i] = records[i].Backoff;
            }
        });
        return tables;
    }
}
