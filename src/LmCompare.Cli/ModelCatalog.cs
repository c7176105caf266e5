using System.Globalization;
using System.Text.Json;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.Pairs;
using LmCompare.Evaluation;
using LmCompare.Transformer;

namespace LmCompare.Cli;

/// <summary>What any model's manifest says about where it comes from.</summary>
public sealed record ModelIdentity(string Name, string Kind, string Corpus, string CorpusFingerprint, int VocabularySize, string Directory);

/// <summary>Opens any built model by name, whatever its kind, after checking it was built on the expected corpus.</summary>
public static class ModelCatalog
{
    public static ModelIdentity Identify(Workspace workspace, string name)
    {
        string directory = ModelManifestFile.Locate(workspace, name);
        string path = Path.Combine(directory, "manifest.json");
        if (!File.Exists(path)) throw new InputException($"{path}: model manifest not found (the model is missing or its build did not finish)");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            string Text(string property) => root.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw new InputException($"{path}: manifest lacks '{property}'");
            int vocabulary = root.TryGetProperty("vocabularySize", out var vs) && vs.TryGetInt32(out int n) ? n : 0;
            return new ModelIdentity(name, Text("kind"), Text("corpus"), Text("corpusFingerprint"), vocabulary, directory);
        }
        catch (JsonException e) { throw new InputException($"{path}: corrupt manifest ({e.Message})", e); }
    }

    /// <summary>Refuses a model of another corpus, or of another ingestion (vocabulary) of the same corpus, saying which.</summary>
    public static void CheckCorpus(ModelIdentity model, TokenizedCorpus corpus)
    {
        if (model.Corpus != corpus.Name)
            throw new InputException($"model {model.Name} was built on corpus '{model.Corpus}', not '{corpus.Name}'");
        if (model.CorpusFingerprint != corpus.Fingerprint())
            throw new InputException($"model {model.Name} was built on another ingestion of corpus '{corpus.Name}' (its vocabulary or tokens differ): rebuild it");
    }

    public static EvaluatedModel Open(Workspace workspace, ModelIdentity id) => id.Kind switch
    {
        PairModelManifest.KindName => new(PairModelLoader.Load(workspace, id.Name), id.Kind, PairFacts(PairModelLoader.ReadManifest(workspace, id.Name).Manifest)),
        NGramModelManifest.KindName => new(NGramModelLoader.Load(workspace, id.Name), id.Kind, NGramFacts(NGramModelLoader.ReadManifest(workspace, id.Name).Manifest)),
        GptModelManifest.KindName => new(GptModelLoader.Load(workspace, id.Name), id.Kind,
            GptFacts(GptModelManifest.Load(Path.Combine(id.Directory, "manifest.json")))),
        _ => throw new InputException($"model {id.Name}: unknown kind '{id.Kind}'"),
    };

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
    };

    private static Dictionary<string, string> GptFacts(GptModelManifest m) => new()
    {
        ["settings"] = $"{m.Config.Layers} layers, d_model {m.Config.DModel}, {m.Config.Heads} heads, context {m.Config.Context}",
        ["parameters"] = m.Parameters.ToString("N0", CultureInfo.InvariantCulture), ["build seconds"] = F(m.WallSeconds),
        ["tokens seen"] = m.TokensSeen.ToString("N0", CultureInfo.InvariantCulture), ["steps"] = m.Steps.ToString(CultureInfo.InvariantCulture),
        ["training tokens/s"] = F(Math.Round(m.TokensPerSecond)), ["stop"] = m.StopReason,
    };
}
