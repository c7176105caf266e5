using LmCompare.Core;
using LmCompare.Transformer.Native;
using static TorchSharp.torch;

namespace LmCompare.Transformer;

/// <summary>
/// A <see cref="Gpt"/> behind <see cref="ILanguageModel"/> (natural logs). The input is &lt;/s&gt; followed by the tokens,
/// so the first token is predicted after a sentence end, as the count models do. Long text is scored with windows on a
/// fixed grid, stride = context / 2 (docs/ARCHITECTURE.md, "The models"): the first window scores its every position, each later one only its
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

    public void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs) => Score(tokens, start, logProbs, []);

    /// <summary>One forward pass per window gives both the scores and (softmax of the same logits) the distributions.</summary>
    public void ScoreDistributions(ReadOnlySpan<int> tokens, int start, Span<double> logProbs, Span<float> probabilities)
    {
        if (probabilities.Length < (tokens.Length - start) * Vocabulary.Count)
            throw new ArgumentException("probabilities must hold (tokens.Length - start) x V values", nameof(probabilities));
        Score(tokens, start, logProbs, probabilities);
    }

    private void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs, Span<float> probabilities)
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
                ScoreWindows(input, targets, chunk, start, logProbs, probabilities);
    }

    /// <summary>
    /// One forward pass for windows of one length and one scored range: the output head (most of the FLOPs) runs only on
    /// the positions each window scores, and log p = logit - logsumexp without materialising a log-softmax. With
    /// <paramref name="probabilities"/> non-empty the softmax of the same logits is copied out too.
    /// </summary>
    private void ScoreWindows(int[] input, int[] targets, (int Start, int From, int End)[] windows, int start, Span<double> logProbs,
        Span<float> probabilities)
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
        if (probabilities.IsEmpty) return;
        int v = Vocabulary.Count;
        using var softmax = logits.softmax(2).to(ScalarType.Float32).contiguous().cpu();                  // (B, S, V)
        var rows = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(softmax.bytes);
        for (int w = 0; w < windows.Length; w++)
            for (int i = Math.Max(windows[w].From, start); i < windows[w].End; i++)
                rows.Slice((w * scored + (i - windows[w].From)) * v, v).CopyTo(probabilities.Slice((i - start) * v, v));
    }

    /// <summary>
    /// Spans that fit one window are packed into a (B, T) batch, each row </s> + span padded at the end (causal attention:
    /// padding after a position cannot change it); the head runs only on the real positions. Longer spans go alone.
    /// </summary>
    public void ScoreBatch(IReadOnlyList<ReadOnlyMemory<int>> spans, Span<double> logProbs, Span<float> probabilities)
    {
        int v = Vocabulary.Count, at = 0;
        var pack = new List<(ReadOnlyMemory<int> Span, int At)>();
        foreach (var span in spans)
        {
            if (span.Length > _context)
            {
                if (probabilities.IsEmpty) Score(span.Span, 0, logProbs.Slice(at, span.Length));
                else Score(span.Span, 0, logProbs.Slice(at, span.Length), probabilities.Slice(at * v, span.Length * v));
            }
            else if (span.Length > 0) pack.Add((span, at));
            at += span.Length;
        }
        foreach (var batch in pack.Chunk(_batch * 4)) ScorePacked(batch, logProbs, probabilities);
    }

    private void ScorePacked((ReadOnlyMemory<int> Span, int At)[] rows, Span<double> logProbs, Span<float> probabilities)
    {
        int t = rows.Max(r => r.Span.Length), v = Vocabulary.Count;
        var ids = new long[rows.Length * t];
        var real = new List<long>();         // flat positions b * T + j that predict a real token
        var targets = new List<long>();
        for (int b = 0; b < rows.Length; b++)
        {
            var span = rows[b].Span.Span;
            ids[b * t] = SpecialTokens.SentenceEndId;
            for (int j = 0; j < span.Length; j++)
            {
                if (j + 1 < t) ids[b * t + j + 1] = span[j];
                real.Add(b * t + j);
                targets.Add(span[j]);
            }
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var hidden = _model.Hidden(tensor(ids, dtype: ScalarType.Int64, device: TorchSetup.Device).view(rows.Length, t)); // (B, T, C)
        var picked = hidden.view(rows.Length * t, -1).index_select(0, tensor(real.ToArray(), device: TorchSetup.Device)); // (P, C)
        var logits = _model.Logits(picked);                                                                               // (P, V)
        logits[TensorIndex.Ellipsis, SpecialTokens.SentenceStartId] = float.NegativeInfinity;
        var target = tensor(targets.ToArray(), dtype: ScalarType.Int64, device: TorchSetup.Device).view(-1, 1);           // (P, 1)
        // Scores only: log p = logit - logsumexp in double. With distributions: one softmax pass serves both (log p = ln of
        // the softmax entry, single precision: ~1e-7 relative, far below any reported digit).
        using var softmax = probabilities.IsEmpty ? null : logits.softmax(1).contiguous().cpu();                      // (P, V)
        var scores = (softmax is null ? logits.gather(1, target).squeeze(1) - logits.logsumexp(1) : softmax.gather(1, target).squeeze(1).log())
            .to(ScalarType.Float64).cpu().data<double>().ToArray();                                                    // (P)
        var flat = softmax is null ? [] : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(softmax.bytes);
        int p = 0;
        foreach (var (span, at) in rows)
            for (int j = 0; j < span.Length; j++, p++)
            {
                logProbs[at + j] = scores[p];
                if (softmax is not null) flat.Slice(p * v, v).CopyTo(probabilities.Slice((at + j) * v, v));
            }
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

    /// <summary>The token embedding (also the output head: the weights are tied), V x d_model floats, row per id.</summary>
    public float[] TokenEmbeddings(out int dimensions)
    {
        using var scope = NewDisposeScope();
        var weight = _model.TokenEmbedding.to(ScalarType.Float32).cpu().contiguous();                  // (V, C)
        dimensions = (int)weight.shape[1];
        return weight.data<float>().ToArray();
    }

    public void Dispose() => _model.Dispose();
}
