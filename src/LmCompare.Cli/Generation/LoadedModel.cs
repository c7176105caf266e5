using System.Diagnostics;
using LmCompare.Core;
using LmCompare.Core.Generation;
using LmCompare.Corpus;
using LmCompare.Corpus.Models;
using LmCompare.Counting.Pairs;

namespace LmCompare.Cli.Generation;

/// <summary>One text produced by <see cref="LoadedModel.Generate"/>.</summary>
public sealed record GeneratedText(int Seed, string Text, IReadOnlyList<int> Ids, double Seconds, double FirstTokenSeconds)
{
    public double TokensPerSecond => Ids.Count == 0 || Seconds <= 0 ? 0 : Ids.Count / Seconds;
}

/// <summary>A model opened for generation, with its corpus (tokenizer, vocabulary): prompt in, text out.</summary>
public sealed class LoadedModel : IDisposable
{
    private LoadedModel(ILanguageModel model, string kind, TokenizedCorpus corpus, double loadSeconds)
    {
        Model = model;
        Kind = kind;
        Corpus = corpus;
        LoadSeconds = loadSeconds;
    }

    public ILanguageModel Model { get; }
    public string Kind { get; }
    public TokenizedCorpus Corpus { get; }
    public double LoadSeconds { get; }
    public string Name => Model.Name;

    public static LoadedModel Open(Workspace workspace, string name)
    {
        var clock = Stopwatch.StartNew();
        var id = ModelIdentity.Read(workspace, name);
        var corpus = TokenizedCorpus.Open(workspace, id.Corpus);
        id.CheckCorpus(corpus);
        var opened = ModelCatalog.Instance.Open(workspace, id, corpus); // a mapped model's checksum runs on: see Generate
        return new LoadedModel(opened.Model, id.Kind, corpus, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Prompt ids and the prompt's words outside the vocabulary; a prompt of only unknown words is refused.</summary>
    public int[] Encode(string prompt, List<string> unknown)
    {
        var ids = Corpus.EncodePrompt(prompt, unknown);
        if (ids.Length > 0 && ids.All(i => i == SpecialTokens.UnknownId))
            throw new InputException($"every word of the prompt is outside {Corpus.Name}'s vocabulary ({string.Join(", ", unknown.Take(5))}): " +
                $"nothing to condition on");
        return ids;
    }

    /// <param name="vote">The pair model's literal step-4 decoding instead of sampling.</param>
    /// <param name="onText">Receives the text as it grows (the new part only), for streaming.</param>
    public GeneratedText Generate(int[] prompt, SamplingOptions options, bool vote, Action<string>? onText, CancellationToken cancel)
    {
        Model.EnsureIntact(); // text from a damaged file would look like any other: nothing is generated before the checksum holds
        var clock = Stopwatch.StartNew();
        double first = 0;
        var ids = new List<int>();
        string shown = "";
        void OnToken(int id)
        {
            if (ids.Count == 0) first = clock.Elapsed.TotalSeconds;
            ids.Add(id);
            if (onText is null) return;
            string text = Corpus.Decode(ids);
            if (text.EndsWith('\uFFFD') || !text.StartsWith(shown, StringComparison.Ordinal)) return; // a partial UTF-8 sequence, or a rejoined token
            onText(text[shown.Length..]);
            shown = text;
        }
        var output = vote
            ? VoteDecoder.Generate(Model as PairDistanceModel
                ?? throw new UsageException($"--decode vote needs a pair-distance model; {Name} is a {Kind} model"),
                prompt, options, OnToken, cancel)
            : TextGenerator.Generate(Model, prompt, options, OnToken, cancel);
        string final = Corpus.Decode(output);
        if (onText is not null && final.Length > shown.Length && final.StartsWith(shown, StringComparison.Ordinal)) onText(final[shown.Length..]);
        return new GeneratedText(options.Seed, final, output, clock.Elapsed.TotalSeconds, first);
    }

    public void Dispose() => Model.Dispose();
}
