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
        try { CreateAndProbe(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{directory}: not writable ({e.Message})", e);
        }
    }

    /// <summary>Creates <paramref name="directory"/> and writes and deletes a probe file in it: the only sure test that
    /// this process may write there. Throws the <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>.</summary>
    public static void CreateAndProbe(string directory)
    {
        Directory.CreateDirectory(directory);
        string probe = Path.Combine(directory, $".lmc-write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        File.WriteAllText(probe, "");
        File.Delete(probe);
    }
}
