using System.Diagnostics;

namespace LmCompare.Cli.Tests;

/// <summary>The outcome of one <c>lmc</c> run.</summary>
public sealed record LmcRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs the built <c>lmc</c> as its own process, exactly as a user would.</summary>
public static class LmcProcess
{
    public static LmcRun Run(string? workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lmc.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("LMC_DEBUG");
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(true); throw new TimeoutException("lmc " + string.Join(' ', args)); }
        return new LmcRun(process.ExitCode, stdout.Result, stderr.Result);
    }
}
