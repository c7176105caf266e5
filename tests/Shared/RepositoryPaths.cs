namespace LmCompare.Tests;

/// <summary>Finds files of the repository (shipped corpora) from a test's output folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Corpora => Path.Combine(Root, "corpora");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LmCompare.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LmCompare.sln not found above " + AppContext.BaseDirectory);
    }
}
