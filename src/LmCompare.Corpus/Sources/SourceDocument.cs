namespace LmCompare.Corpus.Sources;

/// <summary>One input file; every file is one document.</summary>
/// <param name="FullPath">Absolute path.</param>
/// <param name="DisplayPath">The path as recorded in the manifest and shown in messages.</param>
/// <param name="IsGzip">Decompressed while read (by the .gz extension).</param>
public sealed record SourceDocument(string FullPath, string DisplayPath, bool IsGzip)
{
    public static SourceDocument FromPath(string fullPath, string displayPath) =>
        new(fullPath, displayPath, fullPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));
}
