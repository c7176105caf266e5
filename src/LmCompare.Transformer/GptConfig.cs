using LmCompare.Core;

namespace LmCompare.Transformer;

/// <summary>
/// The decoder-only transformer's shape (nanoGPT's GPTConfig), with defaults for a 2-core CPU: 2 layers of width 128,
/// 4 heads, 64 tokens of context (docs/ARCHITECTURE.md, "The models": this size wins short budgets on 2 cores).
/// </summary>
public sealed record GptConfig(int VocabularySize, int Layers = 2, int DModel = 128, int Heads = 4, int Context = 64, double Dropout = 0.0)
{
    public int HeadSize => DModel / Heads;

    /// <summary>Throws <see cref="UsageException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (VocabularySize < 4) throw new UsageException($"the vocabulary must have at least 4 ids (got {VocabularySize})");
        if (Layers < 1) throw new UsageException($"--layers must be at least 1 (got {Layers})");
        if (DModel < 1) throw new UsageException($"--d-model must be at least 1 (got {DModel})");
        if (Heads < 1 || DModel % Heads != 0) throw new UsageException($"--heads must divide --d-model ({DModel} is not a multiple of {Heads})");
        if (Context < 2) throw new UsageException($"--context must be at least 2 (got {Context})");
        if (Dropout is < 0 or >= 1) throw new UsageException($"--dropout must be in [0, 1) (got {Dropout})");
    }

    /// <summary>
    /// Trainable parameters: token and position embeddings, per layer two LayerNorms (2C each), attention
    /// (C x 3C + 3C, C x C + C) and MLP (C x 4C + 4C, 4C x C + C), a final LayerNorm; the output head is tied to the token embedding.
    /// </summary>
    public long Parameters
    {
        get
        {
            long c = DModel;
            long perLayer = 2 * (2 * c) + (c * 3 * c + 3 * c) + (c * c + c) + (c * 4 * c + 4 * c) + (4 * c * c + c);
            return (long)VocabularySize * c + (long)Context * c + Layers * perLayer + 2 * c;
        }
    }

    /// <summary>
    /// Training FLOPs per token, forward and backward (3x forward): 6 N for the weight matrices (N without the
    /// embeddings, plus the tied output head V x C) and 12 L T C for attention scores and values (Kaplan et al. 2020;
    /// nanoGPT's estimate_mfu).
    /// </summary>
    public double TrainingFlopsPerToken
    {
        get
        {
            double c = DModel;
            double matrices = Layers * 12.0 * c * c + (double)VocabularySize * c;
            return 6 * matrices + 12.0 * Layers * Context * c;
        }
    }
}
