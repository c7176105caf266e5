using System.Reflection;

namespace LmCompare.Corpus;

/// <summary>The tool's version as recorded in manifests.</summary>
public static class ToolInfo
{
    public static string Version { get; } =
        typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static string Description => $"lmc {Version} (.NET {Environment.Version})";
}
