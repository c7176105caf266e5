using System.CommandLine;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Counting.Pairs;
using Spectre.Console;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc pairs show MODEL</c>: the manifest as tables.</summary>
public static class PairsShowCommand
{
    private static readonly Argument<string> ModelArgument = new("MODEL") { Description = "A built pair-distance model" };

    public static Command Create()
    {
        var command = new Command("show", "Print a pair-distance model's manifest") { ModelArgument };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            var (m, _) = PairModelLoader.ReadManifest(context.Workspace, parse.GetValue(ModelArgument)!);
            if (context.Json) { context.WriteJson(m); return ExitCodes.Success; }
            var summary = new Table().AddColumns("field", "value");
            summary.AddRow("model", m.Name).AddRow("corpus", m.Corpus).AddRow("vocabulary", m.VocabularySize.ToString("N0"))
                .AddRow("distances N", m.Distances.ToString()).AddRow("top-K", m.TopK.ToString()).AddRow("training tokens",
                    m.TrainTokens.ToString("N0"))
                .AddRow("distinct pairs", m.DistinctPairs.ToString("N0")).AddRow("unigram discount", m.UnigramDiscount.ToString("0.0000"))
                .AddRow("valid perplexity (doc)", F(m.ValidPerplexity)).AddRow("test perplexity (doc)", F(m.TestPerplexity))
                .AddRow("test perplexity excl. OOV", F(m.TestPerplexityExclOov)).AddRow("build seconds", m.BuildSeconds.ToString("0.00"))
                .AddRow("bytes on disk", m.BytesOnDisk.ToString("N0")).AddRow("created", m.CreatedUtc).AddRow("tool", Markup.Escape(m.Tool));
            context.Out.Write(summary);
            var perDistance = new Table().AddColumns("d", "distinct pairs", "discount D_d");
            for (int d = 0; d < m.Distances; d++) perDistance.AddRow((d + 1).ToString(), m.DistinctPairsPerDistance[d].ToString("N0"),
                m.Discounts[d].ToString("0.0000"));
            context.Out.Write(perDistance);
            var lambdas = new Table().AddColumn("group").AddColumn("buckets").AddColumn("λ0 (unigram)");
            for (int d = 1; d <= m.Distances; d++) lambdas.AddColumn($"λ{d}");
            for (int g = 0; g < m.Lambdas.Length; g++)
            {
                var buckets = Enumerable.Range(0, m.LambdaBucketToGroup.Length).Where(b => m.LambdaBucketToGroup[b] == g).ToList();
                lambdas.AddRow([g.ToString(), $"{buckets.First()}-{buckets.Last()}",
                    .. m.Lambdas[g].Select(w => w.ToString("0.000", CultureInfo.InvariantCulture))]);
            }
            context.Out.Write(lambdas);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string F(double? value) => value?.ToString("0.00") ?? "-";
}
