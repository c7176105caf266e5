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
