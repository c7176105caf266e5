using System.Text.Json;
using LmCompare.Core;

namespace LmCompare.Corpus.Models;

/// <summary>What any model's manifest says about where it comes from, read without knowing the model's kind.</summary>
public sealed record ModelIdentity(string Name, string Kind, string Corpus, string CorpusFingerprint, int VocabularySize, string Directory)
{
    /// <summary>Reads the identity fields of model <paramref name="name"/>'s manifest; a missing or corrupt one is an <see
    /// cref="InputException"/>.</summary>
    public static ModelIdentity Read(Workspace workspace, string name)
    {
        string directory = ModelManifestFile.Locate(workspace, name);
        string path = Path.Combine(directory, ModelManifestFile.FileName);
        return ModelManifestFile.Parse(path, json =>
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            string Text(string property) => root.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw new InputException($"{path}: manifest lacks '{property}'");
            int vocabulary = root.TryGetProperty("vocabularySize", out var vs) && vs.TryGetInt32(out int n) ? n : 0;
            return new ModelIdentity(name, Text("kind"), Text("corpus"), Text("corpusFingerprint"), vocabulary, directory);
        });
    }

    /// <summary>Refuses a model of another corpus, or of another ingestion (vocabulary) of the same corpus, saying which.</summary>
    public void CheckCorpus(TokenizedCorpus corpus)
    {
        if (Corpus != corpus.Name)
            throw new InputException($"model {Name} was built on corpus '{Corpus}', not '{corpus.Name}'");
        if (CorpusFingerprint != corpus.Fingerprint())
            throw new InputException($"model {Name} was built on another ingestion of corpus '{corpus.Name}' (its vocabulary or tokens differ): " +
                $"rebuild it");
    }

    /// <summary>The path of the model's manifest.</summary>
    public string ManifestPath => Path.Combine(Directory, ModelManifestFile.FileName);
}
