using System.IO.Compression;

namespace LmCompare.Benchmarks;

/// <summary>
/// Locates the benchmark corpus: sotu.tok (2.0M tokens) from the project's shared reference folder beside the
/// repository, or the addresses fetched by corpora/fetch.sh.
/// </summary>
public static class BenchmarkData
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string SotuPath()
    {
        string shared = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "reference", "sotu.tok.gz"));
        if (File.Exists(shared)) return shared;
        string fetched = Path.Combine(RepositoryRoot, "corpora", "sotu");
        if (Directory.Exists(fetched)) return fetched;
        throw new FileNotFoundException($"sotu not found: expected {shared}, or run corpora/fetch.sh sotu");
    }

    /// <summary>sotu as one plain text file in a temporary folder (decompression is not what is measured).</summary>
    public static string SotuPlainText(string directory)
    {
        Directory.CreateDirectory(directory);
        string source = SotuPath();
        string target = Path.Combine(directory, "sotu.txt");
        if (File.Exists(target)) return target;
        using var output = File.Create(target);
        if (Directory.Exists(source))
        {
            foreach (string file in Directory.GetFiles(source, "*.txt").Order(StringComparer.Ordinal))
                using (var input = File.OpenRead(file)) input.CopyTo(output);
        }
        else
        {
            using var input = new GZipStream(File.OpenRead(source), CompressionMode.Decompress);
            input.CopyTo(output);
        }
        return target;
    }

    /// <summary>
    /// A workspace with sotu ingested (whitespace tokens, one document cut 90/5/5 by lines), built once and reused by the
    /// scoring benchmarks.
    /// </summary>
    public static LmCompare.Corpus.Workspace SotuWorkspace()
    {
        string directory = Path.Combine(Path.GetTempPath(), "lmc-bench-models");
        var workspace = new LmCompare.Corpus.Workspace(Path.Combine(directory, "home"));
        string text = SotuPlainText(directory);
        if (!File.Exists(Path.Combine(workspace.CorpusDirectory("sotu"), "manifest.json")))
            new LmCompare.Corpus.Ingest.CorpusIngestor(workspace).Ingest(new LmCompare.Corpus.Ingest.IngestOptions("sotu", [text],
                new LmCompare.Core.TokenizerSettings("whitespace"), new LmCompare.Core.VocabularyOptions(), Force: true));
        return workspace;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LmCompare.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LmCompare.sln not found");
    }
}
