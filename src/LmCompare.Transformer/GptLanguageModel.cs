using LmCompare.Core;
using LmCompare.Transformer.Native;
using static TorchSharp.torch;

namespace LmCompare.Transformer;

/// <summary>
/// A <see cref="Gpt"/> behind <see cref="ILanguageModel"/> (natural logs). The input is &lt;/s&gt; followed by the tokens,
/// so the first token is predicted after a sentence end, as the count models do. Long text is scored with windows on a
/// fixed grid, stride = context / 2 (DESIGN.md): the first window scores its every position, each later one only its
/// last half, so every token has at least half a window of history; one forward pass per window, windows batched.
/// <see cref="NextTokenLogProbs"/> uses the same grid, so it agrees with <see cref="Score"/> at every position.
/// &lt;s&gt; is never predicted (its logit is masked), as in the count models.
/// </summary>
public sealed class GptLanguageModel : ILanguageModel
{
    private readonly Gpt _model;
    private readonly int _context;
    private readonly int _stride;
    private readonly int _batch;

    public GptLanguageModel(string name, Vocabulary vocabulary, Gpt model, long bytesOnDisk = 0, int batch = 16)
    {
        TorchSetup.EnsureReady();
        if (model.Config.VocabularySize != vocabulary.Count)
            throw new InputException($"model {name} has {model.Config.VocabularySize} ids, the vocabulary {vocabulary.Count}");
        Name = name;
        Vocabulary = vocabulary;
        _model = model;
        _model.eval();
        _context = model.Config.Context;
        _stride = Math.Max(1, _context / 2);
        _batch = Math.Max(1, batch);
        Footprint = new ModelFootprint(model.Config.Parameters, bytesOnDisk, model.Config.Parameters);
    }

    public string Name { get; }
    public Vocabulary Vocabulary { get; }
    public ModelFootprint Footprint { get; }

    /// <summary>First input position of the window that predicts after input position <paramref name="p"/>.</summary>
    private int WindowStart(int p) => p < _context ? 0 : ((p - _context) / _stride + 1) * _stride;

    public void NextTokenLogProbs(ReadOnlySpan<int> context, Span<float> logProbs)
    {
        var input = Input(context);                 // </s> + context
        int p = input.Length - 1;                   // predicts after the last input position
        int start = WindowStart(p);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(input[start..].Select(i => (long)i).ToArray(), dtype: ScalarType.Int64, device: TorchSetup.Device).unsqueeze(0); // (1, t)
        var logits = _model.forward(ids)[0, -1];                                                               // (V)
        var logp = Mask(logits).log_softmax(-1).to(ScalarType.Float32).cpu().data<float>().ToArray();
        logp.AsSpan().CopyTo(logProbs);
    }

    public void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs)
    {
        var input = Input(tokens[..^Math.Min(1, tokens.Length)]); // inputs: </s>, t0 .. t(n-2); targets t0 .. t(n-1)
        int n = tokens.Length;
        if (n == 0) return;
        var windows = new List<(int Start, int From, int End)>();
        int scored = 0;
        for (int a = 0; scored < n; a = windows.Count * _stride)
        {
            int end = Math.Min(a + _context, n);
            windows.Add((a, scored, end));
            scored = end;
        }
        var targets = tokens.ToArray();
        foreach (var group in windows.Where(w => w.End > start).GroupBy(w => (w.End - w.Start, w.From - w.Start)))
            foreach (var chunk in group.Chunk(_batch))
                ScoreWindows(input, targets, chunk, start, logProbs);
    }

    /// <summary>
    /// One forward pass for windows of one length and one scored range: the output head (most of the FLOPs) runs only on
    /// the positions each window scores, and log p = logit - logsumexp without materialising a log-softmax.
    /// </summary>
    private void ScoreWindows(int[] input, int[] targets, (int Start, int From, int End)[] windows, int start, Span<double> logProbs)
    {
        int length = windows[0].End - windows[0].Start, offset = windows[0].From - windows[0].Start, scored = length - offset;
        var ids = new long[windows.Length * length];
        var wanted = new long[windows.Length * scored];
        for (int w = 0; w < windows.Length; w++)
        {
            for (int j = 0; j < length; j++) ids[w * length + j] = input[windows[w].Start + j];
            for (int j = 0; j < scored; j++) wanted[w * scored + j] = targets[windows[w].From + j];
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var hidden = _model.Hidden(tensor(ids, dtype: ScalarType.Int64, device: TorchSetup.Device).view(windows.Length, length));    // (B, T, C)
        var logits = _model.Logits(hidden[.., offset..]);                                                  // (B, S, V)
        logits[TensorIndex.Ellipsis, SpecialTokens.SentenceStartId] = float.NegativeInfinity;
        var target = tensor(wanted, dtype: ScalarType.Int64, device: TorchSetup.Device).view(windows.Length, scored, 1);             // (B, S, 1)
        var picked = (logits.gather(2, target).squeeze(2) - logits.logsumexp(2))                            // (B, S)
            .to(ScalarType.Float64).cpu().data<double>().ToArray();
        for (int w = 0; w < windows.Length; w++)
            for (int i = Math.Max(windows[w].From, start); i < windows[w].End; i++)
                logProbs[i - start] = picked[w * scored + (i - windows[w].From)];
    }

    private static Tensor Mask(Tensor logits)
    {
        var masked = logits.clone();
        masked[TensorIndex.Ellipsis, SpecialTokens.SentenceStartId] = float.NegativeInfinity;
        return masked;
    }

    private static int[] Input(ReadOnlySpan<int> tokens)
    {
        var input = new int[tokens.Length + 1];
        input[0] = SpecialTokens.SentenceEndId;
        tokens.CopyTo(input.AsSpan(1));
        return input;
    }

    public void Dispose() => _model.Dispose();
}
