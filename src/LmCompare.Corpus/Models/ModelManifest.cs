using LmCompare.Core;

namespace LmCompare.Corpus.Models;

/// <summary>
/// What every model's <c>manifest.json</c> records, whatever the model's kind: identity, the corpus it belongs to and
/// the tool that wrote it. The pair, n-gram and transformer manifests extend it; <see cref="ModelIdentity"/> reads these
/// fields from any of them without knowing the kind.
/// </summary>
public abstract record ModelManifest
{
    public int Schema { get; init; } = 1;
    /// <summary>"pairs", "ngram", "gpt".</summary>
    public abstract string Kind { get; init; }
    public required string Name { get; init; }
    public required string Corpus { get; init; }
    /// <summary>SHA-256 of the corpus manifest the model was built from: another corpus or vocabulary is refused.</summary>
    public required string CorpusFingerprint { get; init; }
    public required int VocabularySize { get; init; }
    public required string Tool { get; init; }
    public required string CreatedUtc { get; init; }
    public required long BytesOnDisk { get; init; }
    /// <summary>XxHash128 of the corpus manifest (<see cref="TokenizedCorpus.QuickFingerprint"/>), beside the SHA-256
    /// fingerprint: what opening a model checks when it is there (models built before it: the fingerprint).</summary>
    public string? CorpusQuickFingerprint { get; init; }

    /// <summary>Refuses, as <see cref="OpenCorpus"/> does, a corpus that is missing or not the version the model was built
    /// from, reading only the corpus manifest (its fingerprint): for opening a model without its vocabulary's strings.</summary>
    public void CheckCorpus(Workspace workspace, string remedy) =>
        CheckCorpus(workspace, Name, Corpus, CorpusFingerprint, remedy, CorpusQuickFingerprint);

    /// <summary><see cref="CheckCorpus(Workspace, string)"/> from the fields alone (a caller that read only them).</summary>
    public static void CheckCorpus(Workspace workspace, string model, string corpus, string fingerprint, string remedy,
        string? quickFingerprint = null)
    {
        Ingest.CorpusNames.Validate(corpus);
        string path = Path.Combine(workspace.CorpusDirectory(corpus), "manifest.json");
        if (!File.Exists(path)) throw new InputException($"corpus '{corpus}' of model '{model}' not found in {workspace.CorporaDirectory} " +
            "(see lmc corpus list)");
        bool same = quickFingerprint is not null ? TokenizedCorpus.QuickFingerprintOf(path) == quickFingerprint
            : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))) == fingerprint;
        if (!same) throw new InputException($"model '{model}' was built from another version of corpus '{corpus}' {remedy}");
    }

    /// <summary>The vocabulary of the model's corpus: <paramref name="open"/> (already loaded by the caller) after
    /// <see cref="CheckCorpus"/>, else <see cref="OpenCorpus"/>'s.</summary>
    public Vocabulary Vocabulary(Workspace workspace, Vocabulary? open, string remedy)
    {
        if (open is null) return OpenCorpus(workspace, remedy).Vocabulary;
        CheckCorpus(workspace, remedy);
        if (open.Count != VocabularySize)
            throw new InputException($"model '{Name}' has {VocabularySize:N0} ids, its corpus '{Corpus}' {open.Count:N0} {remedy}");
        return open;
    }

    /// <summary>The model's corpus as ingested in <paramref name="workspace"/>, refused when it is not the version the model
    /// was built from ("model 'M' was built from another version of corpus 'C' " + <paramref name="remedy"/>).</summary>
    public TokenizedCorpus OpenCorpus(Workspace workspace, string remedy)
    {
        var corpus = TokenizedCorpus.Open(workspace, Corpus);
        if (corpus.Fingerprint() != CorpusFingerprint) throw new InputException($"model '{Name}' was built from another version of corpus " +
            $"'{Corpus}' {remedy}");
        return corpus;
    }
}
