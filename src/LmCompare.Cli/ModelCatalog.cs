using System.Globalization;
using LmCompare.Cli.Options;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Models;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.Pairs;
using LmCompare.Evaluation;
using LmCompare.Transformer;

namespace LmCompare.Cli;

/// <summary>Opens any built model by name, whatever its kind: the one place that knows every model family.</summary>
public sealed class ModelCatalog : IModelOpener
{
    public static readonly ModelCatalog Instance = new();

    private ModelCatalog() { }

    public EvaluatedModel Open(Workspace workspace, ModelIdentity id, TokenizedCorpus corpus) => id.Kind switch
    {
        PairModelManifest.KindName => new(PairModelLoader.Load(workspace, id.Name, CountingBackendOptions.Locations,
            vocabulary: corpus.Vocabulary), id.Kind,
            PairFacts(PairModelLoader.ReadManifest(workspace, id.Name).Manifest)),
        NGramModelManifest.KindName => OpenNGram(workspace, id, corpus),
        GptModelManifest.KindName => new(GptModelLoader.Load(workspace, id.Name), id.Kind,
            GptFacts(GptModelManifest.Load(id.ManifestPath))),
        _ => throw new InputException($"model {id.Name}: unknown kind '{id.Kind}'"),
    };

    /// <summary>An n-gram model read in place from its trie (models built before it: loaded whole).</summary>
    private static EvaluatedModel OpenNGram(Workspace workspace, ModelIdentity id, TokenizedCorpus corpus)
    {
        var manifest = NGramModelLoader.ReadManifest(workspace, id.Name).Manifest;
        ILanguageModel model = NGramModelLoader.HasTrie(manifest)
            ? NGramModelLoader.OpenMapped(workspace, id.Name, corpus.Vocabulary)
            : NGramModelLoader.Load(workspace, id.Name, LoadableBytes);
        return new(model, id.Kind, NGramFacts(manifest));
    }

    /// <summary>Three quarters of the memory this process may use: a model loaded whole beyond it would end in the OOM killer.</summary>
    private static long LoadableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 * 3;

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static Dictionary<string, string> PairFacts(PairModelManifest m) => new()
    {
        ["settings"] = $"N = {m.Distances}, top-K = {m.TopK}", ["distinct pairs"] = m.DistinctPairs.ToString("N0", CultureInfo.InvariantCulture),
        ["build seconds"] = F(m.BuildSeconds), ["training tokens"] = m.TrainTokens.ToString("N0", CultureInfo.InvariantCulture),
    };

    private static Dictionary<string, string> NGramFacts(NGramModelManifest m) => new()
    {
        ["settings"] = $"order {m.Order}, interpolated modified Kneser-Ney{(m.DiscountFallback ? ", discount fallback" : "")}",
        ["n-grams"] = string.Join(" / ", m.NGramCounts.Select(c => c.ToString("N0", CultureInfo.InvariantCulture))),
        ["build seconds"] = F(m.BuildSeconds),
        ["scored from"] = m.TrieBytes > 0 ? $"ngrams.trie, {m.TrieBytes / 1e6:0.#} MB, mapped" : "ngrams.bin, loaded whole",
    };

    private static Dictionary<string, string> GptFacts(GptModelManifest m) => new()
    {
        ["settings"] = $"{m.Config.Layers} layers, d_model {m.Config.DModel}, {m.Config.Heads} heads, context {m.Config.Context}",
        ["parameters"] = m.Parameters.ToString("N0", CultureInfo.InvariantCulture), ["build seconds"] = F(m.WallSeconds),
        ["tokens seen"] = m.TokensSeen.ToString("N0", CultureInfo.InvariantCulture), ["steps"] = m.Steps.ToString(CultureInfo.InvariantCulture),
        ["training tokens/s"] = F(Math.Round(m.TokensPerSecond)), ["stop"] = m.StopReason,
    };
}
