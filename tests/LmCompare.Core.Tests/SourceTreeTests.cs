using System.Text.RegularExpressions;

namespace LmCompare.Core.Tests;

/// <summary>
/// The habits docs/ARCHITECTURE.md states, checked over the repository's own source: line length (.editorconfig's
/// max_line_length, which the compiler does not enforce), and the cluster code kept inside its backend folder.
/// </summary>
public sealed class SourceTreeTests
{
    private const int MaxLineLength = 150;

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LmCompare.sln"))) return dir.FullName;
        throw new InvalidOperationException("LmCompare.sln not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<string> CsFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root(), folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    private static string Relative(string path) => Path.GetRelativePath(Root(), path).Replace('\\', '/');

    [Fact]
    public void CsFiles_EveryLine_AtMostMaxLineLength()
    {
        var longLines = CsFiles("src").Concat(CsFiles("tests"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Relative(f), Line: i + 1, line.Length)))
            .Where(l => l.Length > MaxLineLength)
            .Select(l => $"{l.File}:{l.Line} ({l.Length} characters)")
            .ToList();
        Assert.True(longLines.Count == 0, "lines over " + MaxLineLength + " characters:\n" + string.Join('\n', longLines));
    }

    [Fact]
    public void SourceFiles_OutsideGarnetBackendAndBackendOptions_NeverNameGarnet()
    {
        const string backendFolder = "src/LmCompare.Counting/Backends/Garnet/";
        const string cliChoice = "src/LmCompare.Cli/Options/CountingBackendOptions.cs";
        var naming = CsFiles("src").Select(Relative)
            .Where(f => !f.StartsWith(backendFolder, StringComparison.Ordinal) && f != cliChoice)
            .Where(f => File.ReadAllText(Path.Combine(Root(), f)).Contains("Garnet", StringComparison.Ordinal))
            .ToList();
        Assert.True(naming.Count == 0, "files outside the Garnet backend naming it:\n" + string.Join('\n', naming));
    }

    [Fact]
    public void SourceFiles_NeverTestOrCastToABackendType()
    {
        var cast = new Regex(@"\b(is|as)\s+(\w+CountingBackend|\w+CountStore)\b");
        var casts = CsFiles("src")
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Relative(f), Line: i + 1, Text: line)))
            .Where(l => cast.IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(casts.Count == 0, "type tests on a backend:\n" + string.Join('\n', casts));
    }
}
