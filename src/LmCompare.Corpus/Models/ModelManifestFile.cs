using System.Text.Json;
using LmCompare.Core;
using LmCompare.Corpus.Ingest;

namespace LmCompare.Corpus.Models;

/// <summary>Locating a model folder under the workspace and reading its manifest, the same way for every kind of model.</summary>
public static class ModelManifestFile
{
    /// <summary>The manifest's name inside a model folder; written last, so a folder without it is an unfinished build.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The folder of model <paramref name="name"/>; a missing one is an <see cref="InputException"/>.</summary>
    public static string Locate(Workspace workspace, string name)
    {
        CorpusNames.Validate(name);
        string directory = Path.Combine(workspace.ModelsDirectory, name);
        if (!Directory.Exists(directory)) throw new InputException($"model '{name}' not found in {workspace.ModelsDirectory}");
        return directory;
    }

    /// <summary>Reads a manifest of the expected kind; missing, corrupt or another kind is an <see cref="InputException"/> naming the file.</summary>
    public static T Load<T>(string path, string expectedKind, Func<T, string> kindOf, string description) where T : class =>
        Parse(path, json =>
        {
            var manifest = JsonSerializer.Deserialize<T>(json, CorpusManifest.JsonOptions) ?? throw new InputException($"{path}: empty manifest");
            if (kindOf(manifest) != expectedKind) throw new InputException($"{path}: a '{kindOf(manifest)}' model, not {description}");
            return manifest;
        });

    /// <summary>Reads the manifest's text and parses it with <paramref name="parse"/>: a missing file or malformed JSON is an
    /// <see cref="InputException"/> naming the file (the same lines for every reader of a manifest).</summary>
    public static T Parse<T>(string path, Func<string, T> parse)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: model manifest not found (the model is missing or its build did not finish)");
        try
        {
            return parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: corrupt manifest ({e.Message})", e);
        }
    }
}
