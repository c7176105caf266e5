using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using LmCompare.Core;
using LmCompare.Counting.Pairs;
using LmCompare.Cli.Options;

namespace LmCompare.Cli.Commands;

/// <summary>
/// <c>lmc pairs dump MODEL [--hash]</c>: every count of the model (a complete one's from its checksummed tables file or its
/// cluster, an unfinished one's from its FASTER store), sorted, as "u v d count" lines of ids (or only the SHA-256 of that
/// text): for comparing builds, e.g. a resumed one with an uninterrupted one.
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
            using var counts = PairModelLoader.ReadCounts(context.Workspace, name, CountingBackendOptions.Locations);
            bool hashOnly = parse.GetValue(HashOption);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var output = Console.Out;
            var line = new StringBuilder();
            long pairs = 0;
            while (counts.MoveNext())
            {
                long key = PairCountRecords.Key(counts.Current);
                line.Clear().Append(PairKey.U(key)).Append(' ').Append(PairKey.V(key)).Append(' ')
                    .Append(PairKey.D(key)).Append(' ').Append(counts.Current[PairCountRecords.CountInt]).Append('\n');
                pairs++;
                if (hashOnly) sha.AppendData(Encoding.ASCII.GetBytes(line.ToString()));
                else output.Write(line);
            }
            if (hashOnly)
            {
                string hash = Convert.ToHexStringLower(sha.GetHashAndReset());
                if (context.Json) context.WriteJson(new { model = name, pairs, sha256 = hash });
                else output.WriteLine($"{hash}  {pairs} pairs");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
