namespace LmCompare.Core;

/// <summary>How a build treats a model folder that already exists.</summary>
public enum ExistingModel { Refuse, Replace, Resume }

/// <summary>
/// <c>&lt;home&gt;/models/&lt;name&gt;/</c> during a build: held under an exclusive lock file so two builds never write
/// into one folder; <c>manifest.json</c> is written last, so a folder without it is an unfinished build.
/// </summary>
public sealed class ModelFolder : IDisposable
{
    private FileStream? _lock;

    private ModelFolder(string path) => Path = path;

    public string Path { get; }

    public string ManifestPath => System.IO.Path.Combine(Path, "manifest.json");

    public bool IsComplete => File.Exists(ManifestPath);

    public string FilePath(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Creates or claims the folder of model <paramref name="name"/> under <paramref name="modelsDirectory"/>, locked; applies --force /
    /// --resume.</summary>
    public static ModelFolder Claim(string modelsDirectory, string name, ExistingModel existing)
    {
        Names.Validate(name);
        string path = System.IO.Path.Combine(modelsDirectory, name);
        bool existed = Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any(e => System.IO.Path.GetFileName(e) != ".lock");
        try { Directory.CreateDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{modelsDirectory}: not writable ({e.Message})", e);
        }
        var folder = new ModelFolder(path);
        folder.Lock();
        if (existed && existing == ExistingModel.Refuse)
        {
            folder.Dispose();
            throw new UsageException(folder.IsComplete
                ? $"model '{name}' already exists in {path}; pass --force to rebuild it"
                : $"{path} holds an unfinished build; pass --resume to continue it or --force to start over");
        }
        if (existed && existing == ExistingModel.Replace) folder.Clear();
        return folder;
    }

    private void Lock()
    {
        string lockPath = System.IO.Path.Combine(Path, ".lock");
        try
        {
            _lock = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            _lock.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _lock.Write(pid);
            _lock.Flush();
        }
        catch (IOException)
        {
            throw new InputException($"{Path} is locked by another build ({lockPath}); wait for it to finish");
        }
    }

    /// <summary>Deletes everything but the lock file, the build's own hidden work folders and <paramref name="keep"/>.</summary>
    public void Clear(params string[] keep)
    {
        foreach (string entry in Directory.EnumerateFileSystemEntries(Path))
        {
            string name = System.IO.Path.GetFileName(entry);
            if (name.StartsWith('.') || keep.Contains(name)) continue;
            if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
            else File.Delete(entry);
        }
    }

    public long BytesOnDisk() => BytesIn(Path);

    /// <summary>Bytes of every file under <paramref name="directory"/> (0 when it does not exist).</summary>
    public static long BytesIn(string directory) =>
        Directory.Exists(directory) ? new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    public void Dispose()
    {
        if (_lock is null) return;
        string lockPath = _lock.Name;
        _lock.Dispose();
        _lock = null;
        try { File.Delete(lockPath); } catch (IOException) { }
        // A claim that wrote nothing (a build refused before it began) leaves no empty folder behind.
        try { if (!Directory.EnumerateFileSystemEntries(Path).Any()) Directory.Delete(Path); } catch (IOException) { }
    }
}
