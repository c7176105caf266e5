using System.CommandLine;
using LmCompare.Core.Generation;

namespace LmCompare.Cli.Options;

/// <summary>The sampling options <c>lmc generate</c> and <c>lmc repl</c> share, and their mapping to <see cref="SamplingOptions"/>.</summary>
public static class SamplingOptionSet
{
    public static readonly Option<int> MaxTokens = new("--max-tokens") { DefaultValueFactory = _ => 50,
        Description = "Stop after this many tokens (or at the end of a sentence)" };
    public static readonly Option<double> Temperature = new("--temperature") { DefaultValueFactory = _ => 0.8,
        Description = "Softmax temperature (> 0)" };
    public static readonly Option<int> TopK = new("--top-k") { DefaultValueFactory = _ => 40,
        Description = "Sample among the K most probable tokens (0: all)" };
    public static readonly Option<double> TopP = new("--top-p")
    {
        DefaultValueFactory = _ => 1.0, Description = "Nucleus: the smallest set of tokens with this much probability, in (0, 1]",
    };
    public static readonly Option<double> RepetitionPenalty = new("--repetition-penalty")
    {
        DefaultValueFactory = _ => 1.0, Description = "Penalise tokens already present (1: off)",
    };
    public static readonly Option<int> Seed = new("--seed") { DefaultValueFactory = _ => 1, Description = "Seed of the sampler" };
    public static readonly Option<bool> Greedy = new("--greedy") { Description = "Always take the most probable token" };
    public static readonly Option<bool> NoUnk = new("--no-unk") { DefaultValueFactory = _ => true,
        Description = "Never generate <unk> (default on; --no-unk false allows it)" };

    /// <summary>The options in the order the commands list them.</summary>
    public static IEnumerable<Option> All => [MaxTokens, Temperature, TopK, TopP, RepetitionPenalty, Seed, Greedy, NoUnk];

    public static SamplingOptions Read(ParseResult parse) => new(parse.GetValue(Temperature), parse.GetValue(TopK), parse.GetValue(TopP),
        parse.GetValue(Greedy), parse.GetValue(RepetitionPenalty), parse.GetValue(Seed), parse.GetValue(MaxTokens), parse.GetValue(NoUnk));
}
