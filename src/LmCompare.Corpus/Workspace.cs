using LmCompare.Core;

namespace LmCompare.Corpus;

/// <summary>
/// The folder lmc works in (<c>--home</c>, default the current directory): ingested corpora in <c>corpora/&lt;name&gt;/</c>,
/// models in <c>models/&lt;name&gt;/</c>, reports in <c>reports/</c>.
/// </summary>
public sealed class Workspace(string home)
{
    public string Home { get; } = Path.GetFullPath(home);

    public string CorporaDirectory => Path.Combine(Home, "corpora");

    public string ModelsDirectory => Path.Combine(Home, "models");

    public string ReportsDirectory => Path.Combine(Home, "reports");

    public string CorpusDirectory(string name) => Path.Combine(CorporaDirectory, name);

    /// <summary>Creates <paramref name="directory"/> (under the home) or explains in one line why it cannot be written.</summary>
    public void EnsureWritable(string directory)
    {
        if (File.Exists(Home)) throw new InputException($"{Home}: --home is a file, not a directory");
        try
        {
            Directory.CreateDirectory(directory);
            string probe = Path.Combine(directory, $".lmc-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{directory}: not writable ({e.Message})", e);
        }
    }
}
