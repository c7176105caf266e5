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
    /// <summary>Starts lmc with plain progress lines on stderr (CI=1) and returns the running process.</summary>
    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lmc.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        start.Environment["CI"] = "1";
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        process.StandardOutput.ReadToEndAsync();
        return process;
    }

    /// <summary>Reads stderr until a line matches; false when the process ended first.</summary>
    public static bool WaitForLine(Process process, Func<string, bool> match, TimeSpan timeout, int occurrence = 1)
    {
        var deadline = DateTime.UtcNow + timeout;
        int seen = 0;
        while (DateTime.UtcNow < deadline)
        {
            string? line = process.StandardError.ReadLine();
            if (line is null) return false;
            if (match(line) && ++seen == occurrence) return true;
        }
        throw new TimeoutException("no matching line from lmc");
    }

    /// <summary>Runs lmc and SIGKILLs it <paramref name="delay"/> after the n-th stderr line that matches.</summary>
    public static bool KillAfter(string[] args, Func<string, bool> match, int occurrence, TimeSpan delay)
    {
        using var process = Start(args);
        bool found = WaitForLine(process, match, TimeSpan.FromMinutes(2), occurrence);
        if (found) Thread.Sleep(delay);
        bool killed = !process.HasExited;
        if (killed) process.Kill(entireProcessTree: true); // SIGKILL on Linux
        process.WaitForExit();
        return found && killed;
    }

    /// <summary>Runs lmc and SIGKILLs it as soon as <paramref name="condition"/> holds (polled every millisecond); false when
    /// the process ended first.</summary>
    public static bool KillWhen(string[] args, Func<bool> condition)
    {
        using var process = Start(args);
        process.StandardError.ReadToEndAsync();
        while (!process.HasExited && !condition()) Thread.Sleep(1);
        bool killed = !process.HasExited;
        if (killed) process.Kill(entireProcessTree: true); // SIGKILL on Linux
        process.WaitForExit();
        return killed;
    }

    public static LmcRun Run(string? workingDirectory, params string[] args) => RunWithInput(workingDirectory, "", args);

    /// <summary>Runs lmc with <paramref name="input"/> on its (redirected) standard input.</summary>
    public static LmcRun RunWithInput(string? workingDirectory, string input, params string[] args)
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
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(true); throw new TimeoutException("lmc " + string.Join(' ', args)); }
        return new LmcRun(process.ExitCode, stdout.Result, stderr.Result);
    }
}
