namespace LmCompare.Core;

/// <summary>One progress update of a named pipeline stage.</summary>
/// <param name="Stage">The stage name, e.g. "tokenize".</param>
/// <param name="Done">Work done so far, in <paramref name="Unit"/>.</param>
/// <param name="Total">Total work, or null when unknown.</param>
/// <param name="Unit">What is counted: "bytes", "tokens", "documents".</param>
public readonly record struct ProgressReport(string Stage, long Done, long? Total, string Unit);
