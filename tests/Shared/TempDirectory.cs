namespace LmCompare.Tests;

/// <summary>A fresh folder per test, deleted afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lmc-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes a UTF-8 file (gzip-compressed when the name ends in .gz) and returns its path.</summary>
    public string Write(string relative, string text)
    {
        string path = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var bytes = new System.Text.UTF8Encoding(false).GetBytes(text);
        WriteBytes(relative, bytes);
        return path;
    }

    public string WriteBytes(string relative, byte[] bytes)
    {
        string path = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        if (path.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var file = File.Create(path);
            using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Optimal);
            gzip.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
