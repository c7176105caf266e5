using LmCompare.Core;
using LmCompare.Corpus;

namespace LmCompare.Evaluation.Reports;

/// <summary>
/// Writes report.md, report.html, report.json and the PNG plots into a hidden temporary folder beside the target and
/// renames it into place at the end, so an interrupted run never leaves a report that looks finished. An existing
/// target is replaced only when it is a report folder (holds report.json) or empty.
/// </summary>
public static class ReportWriter
{
    public static void CheckWritable(string directory)
    {
        string full = Path.GetFullPath(directory);
        if (File.Exists(full)) throw new InputException($"--out {directory}: is a file, not a folder");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !File.Exists(Path.Combine(full, "report.json")))
            throw new InputException($"--out {directory}: folder exists and is not a report folder; choose another");
        string parent = Path.GetDirectoryName(full) ?? full;
        try { Workspace.CreateAndProbe(parent); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--out {directory}: cannot write there ({e.Message})");
        }
    }

    /// <summary>Fills in the verdict when missing, renders, writes; returns the final folder.</summary>
    public static string Write(EvaluationReport report, string directory)
    {
        CheckWritable(directory);
        if (report.Verdict.Count == 0) report = report with { Verdict = Verdict.For(report) };
        string target = Path.GetFullPath(directory);
        string temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var plots = ReportPlots.Render(report);
            foreach (var plot in plots) File.WriteAllBytes(Path.Combine(temp, plot.File), plot.Png);
            File.WriteAllText(Path.Combine(temp, "report.md"), MarkdownReport.Render(report, plots));
            File.WriteAllText(Path.Combine(temp, "report.html"), HtmlReport.Render(report, plots));
            File.WriteAllText(Path.Combine(temp, "report.json"), report.ToJson()); // last: its presence marks a finished report
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(temp, target);
            return target;
        }
        catch
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
            throw;
        }
    }
}
