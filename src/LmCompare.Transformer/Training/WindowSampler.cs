namespace LmCompare.Transformer.Training;

/// <summary>
/// Random training windows (nanoGPT's get_batch): B offsets drawn uniformly, inputs tokens[o..o+T), targets shifted by one.
/// Its state is one 64-bit number (SplitMix64, Steele et al. 2014), so a checkpoint restores the exact same stream.
/// </summary>
public sealed class WindowSampler(int[] tokens, int context, ulong state)
{
    public ulong State { get; private set; } = state;

    private ulong Next()
    {
        ulong z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Fills inputs and targets (B x T each, row-major).</summary>
    public void Sample(int batch, long[] inputs, long[] targets)
    {
        int range = tokens.Length - context; // offsets 0 .. range-1 leave room for the shifted target
        for (int b = 0; b < batch; b++)
        {
            int offset = (int)(Next() % (ulong)range);
            for (int t = 0; t < context; t++)
            {
                inputs[b * context + t] = tokens[offset + t];
                targets[b * context + t] = tokens[offset + t + 1];
            }
        }
    }
}
