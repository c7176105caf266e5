namespace LmCompare.Core;

/// <summary>
/// An error the user can act on. The CLI prints <see cref="Exception.Message"/> as one line on stderr
/// (no stack trace) and exits with <see cref="ExitCode"/>.
/// </summary>
public abstract class LmcException : Exception
{
    protected LmcException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>The process exit code: see <see cref="ExitCodes"/>.</summary>
    public abstract int ExitCode { get; }
}

/// <summary>The command line asks for something impossible: a bad flag value, a name clash (exit 1).</summary>
public sealed class UsageException(string message) : LmcException(message)
{
    public override int ExitCode => ExitCodes.Usage;
}

/// <summary>Input data is missing, unreadable or malformed (exit 2). The message names the file.</summary>
public sealed class InputException(string message, Exception? inner = null) : LmcException(message, inner)
{
    public override int ExitCode => ExitCodes.BadInput;
}

/// <summary>The documented exit codes of <c>lmc</c>.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Usage = 1;
    public const int BadInput = 2;
    public const int Internal = 3;
}
