using System.CommandLine;

namespace LmCompare.Cli;

/// <summary>Options every command accepts (recursive on the root command).</summary>
public static class GlobalOptions
{
    public static readonly Option<string> Home = new("--home")
    {
        Description = "Workspace folder: corpora/, models/ and reports/ live here",
        DefaultValueFactory = _ => ".",
        Recursive = true,
    };

    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "No progress output",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print one JSON result object on stdout and nothing else there",
        Recursive = true,
    };
}
