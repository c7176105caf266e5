namespace LmCompare.Cli.Comparison;

/// <summary>What <c>lmc compare</c> builds; every default is what README command 1 runs.</summary>
/// <param name="Source">A text path (file or folder) to ingest, or the name of an ingested corpus.</param>
/// <param name="Name">Corpus name for a text path (default: the path's file or folder name).</param>
/// <param name="Minutes">The transformer's training budget.</param>
/// <param name="Tokenizer">Tokenizer for a text path (word, whitespace, gpt2).</param>
/// <param name="MinCount">Training words seen fewer times become &lt;unk&gt;.</param>
/// <param name="Distances">N of the pair-distance model.</param>
/// <param name="Order">Order of the Kneser-Ney model.</param>
/// <param name="Out">Report folder (default <c>&lt;home&gt;/reports/&lt;corpus&gt;-&lt;UTC time&gt;</c>).</param>
/// <param name="Curves">Rebuild the count models on prefixes for the learning curves.</param>
public sealed record CompareSettings(string Source, string? Name = null, double Minutes = 5, string Tokenizer = "word", bool Lowercase = false,
    int MinCount = 2, int Distances = 8, int Order = 5, string? Out = null, bool Curves = true, bool Force = false);
