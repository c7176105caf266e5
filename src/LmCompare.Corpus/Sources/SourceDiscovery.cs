using LmCompare.Core;

namespace LmCompare.Corpus.Sources;

/// <summary>
/// Expands the paths given on the command line into documents: files as they are, directories
/// recursively (only <c>.txt</c> and <c>.gz</c> files, in ordinal order of their paths, so the result does not
/// depend on the file system's listing order).
/// </summary>
public static class SourceDiscovery
{
    public static IReadOnlyList<SourceDocument> Expand(IEnumerable<string> paths)
    {
        var result = new List<SourceDocument>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            string full = Path.GetFullPath(path);
            if (File.Exists(full))
            {
                if (seen.Add(full)) result.Add(SourceDocument.FromPath(full, path));
            }
            else if (Directory.Exists(full))
            {
                var files = Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                    .Where(IsTextOrGzip)
                    .Select(f => (Full: f, Relative: Path.GetRelativePath(full, f).Replace('\\', '/')))
                    .OrderBy(f => f.Relative, StringComparer.Ordinal)
                    .ToList();
                if (files.Count == 0) throw new InputException($"{path}: directory holds no .txt or .gz files");
                foreach (var file in files)
                    if (seen.Add(file.Full)) result.Add(SourceDocument.FromPath(file.Full, Path.Combine(path, file.Relative)));
            }
            else
            {
                throw new InputException($"{path}: no such file or directory");
            }
        }
        return result;
    }

    private static bool IsTextOrGzip(string file) =>
        file.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
}
