using System.Diagnostics;
using LmCompare.Core;

namespace LmCompare.Corpus.Ingest;

/// <summary>
/// How a corpus folder comes into being (ingest and synth alike): everything is written into a hidden
/// <c>.NAME.partial-PID</c> folder beside it, then one rename replaces any earlier corpus of that name, so a failure or
/// a killed process never leaves a folder that looks like a complete corpus. Partial folders of dead processes are removed.
/// </summary>
public static class CorpusFolder
{
    /// <summary>Refuses a target that holds files lmc did not write, or an existing corpus without --force.</summary>
    public static void CheckTarget(string target, string name, bool force)
    {
        if (!Directory.Exists(target)) return;
        bool isCorpus = File.Exists(Path.Combine(target, "manifest.json"));
        if (!isCorpus && Directory.EnumerateFileSystemEntries(target).Any())
            throw new UsageException($"{target} exists and holds files lmc did not write (source text?); choose another --name");
        if (isCorpus && !force)
            throw new UsageException($"corpus '{name}' already exists in {target}; pass --force to replace it");
    }

    /// <summary>
    /// Writes corpus <paramref name="name"/>: <paramref name="build"/> fills a new partial folder (its path is the argument)
    /// and returns the manifest, which is written last; then the folder replaces any earlier corpus of that name. On any
    /// failure the partial folder is deleted and nothing else changes.
    /// </summary>
    public static CorpusManifest Write(Workspace workspace, string name, Func<string, CorpusManifest> build, IProgress<ProgressReport>? progress)
    {
        string temp = StartPartial(workspace, name);
        try
        {
            var manifest = build(temp);
            AtomicFile.WriteAllText(Path.Combine(temp, "manifest.json"), manifest.ToJson());
            progress?.Report(new ProgressReport("commit", 0, null, "files"));
            Commit(temp, workspace.CorpusDirectory(name));
            return manifest;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>A new, empty partial folder for corpus <paramref name="name"/> (after removing those of killed runs).</summary>
    private static string StartPartial(Workspace workspace, string name)
    {
        workspace.EnsureWritable(workspace.CorporaDirectory);
        foreach (string dir in Directory.EnumerateDirectories(workspace.CorporaDirectory, $".{name}.*"))
        {
            string suffix = dir[(dir.LastIndexOf('-') + 1)..];
            if (int.TryParse(suffix, out int pid) && !ProcessIsAlive(pid)) TryDelete(dir);
        }
        string temp = Path.Combine(workspace.CorporaDirectory, $".{name}.partial-{Environment.ProcessId}");
        Directory.CreateDirectory(temp);
        return temp;
    }

    /// <summary>The complete folder replaces any previous corpus of the same name by rename.</summary>
    private static void Commit(string temp, string target)
    {
        string? old = null;
        if (Directory.Exists(target))
        {
            old = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.old-{Environment.ProcessId}");
            Directory.Move(target, old);
        }
        Directory.Move(temp, target);
        if (old is not null) TryDelete(old);
    }

    private static void TryDelete(string directory)
    {
        try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static bool ProcessIsAlive(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
