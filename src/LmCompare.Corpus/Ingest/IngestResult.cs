namespace LmCompare.Corpus.Ingest;

/// <summary>What an ingestion produced, for the command's summary.</summary>
public sealed record IngestResult(string Directory, CorpusManifest Manifest, TimeSpan Elapsed)
{
    public long TotalTokens => Manifest.Splits.Values.Sum(s => s.Tokens);

    public double TokensPerSecond => Elapsed.TotalSeconds > 0 ? TotalTokens / Elapsed.TotalSeconds : 0;
}
