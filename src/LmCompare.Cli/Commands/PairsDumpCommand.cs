using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using LmCompare.Core;
using LmCompare.Counting.Pairs;
using LmCompare.Cli.Options;

namespace LmCompare.Cli.Commands;

/// <summary>
/// <c>lmc pairs dump MODEL [--hash]</c>: every count of the model's FASTER store (or cluster), sorted, as "u v d count" lines of
/// words (or only the SHA-256 of that text): for comparing builds, e.g. a resumed one with an uninterrupted one.
/// </summary>
public static class PairsDumpCommand
{
    private static readonly Argument<string> ModelArgument = new("MODEL") { Description = "A pair-distance model (complete or unfinished)" };
    private static readonly Option<bool> HashOption = new("--hash") { Description = "Print only the SHA-256 of the sorted dump" };

    public static Command Create()
    {
        var command = new Command("dump", "Print the sorted counts of a model's store (or their SHA-256)") { ModelArgument, HashOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            string name = parse.GetValue(ModelArgument)!;
            var (keys, counts) = PairModelLoader.ReadCounts(context.Workspace, name, CountingBackendOptions.Locations);
            bool hashOnly = parse.GetValue(HashOption);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var output = Console.Out;
            var line = new StringBuilder();
            for (int i = 0; i < keys.Length; i++)
            {
                line.Clear().Append(PairKey.U(keys[i])).Append(' ').Append(PairKey.V(keys[i])).Append(' ')
                    .Append(PairKey.D(keys[i])).Append(' ').Append(counts[i]).Append('\n');
                if (hashOnly) sha.AppendData(Encoding.ASCII.GetBytes(line.ToString()));
                else output.Write(line);
            }
            if (hashOnly)
            {
                string hash = Convert.ToHexStringLower(sha.GetHashAndReset());
                if (context.Json) context.WriteJson(new { model = name, pairs = keys.Length, sha256 = hash });
                else output.WriteLine($"{hash}  {keys.Length} pairs");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
