using LmCompare.Core;

namespace LmCompare.Counting.Pairs;

/// <summary>Settings of <c>lmc pairs build</c>, with the command line's defaults.</summary>
/// <param name="Distances">N: pairs (u, v) with v exactly d = 1..N tokens after u. Default 8, at most 64.</param>
/// <param name="TopK">K successors kept per (u, d) for the step-3 lists and vote decoding. Default 20.</param>
/// <param name="MemoryBytes">Budget of the in-memory aggregation; FASTER keeps a quarter of it of its log in memory. Default 1 GB.</param>
/// <param name="CheckpointSeconds">Counting merges and checkpoints at least this often. Default 300.</param>
/// <param name="Backend">Where the counts are made and kept; null: the embedded FASTER store in the model folder.</param>
public sealed record PairModelSettings(int Distances = 8, int TopK = 20, long MemoryBytes = 1L << 30, int CheckpointSeconds = 300,
    Backends.CountingBackendFactory? Backend = null)
{
    public void Validate()
    {
        if (Distances is < 1 or > PairKey.MaxDistance) throw new UsageException($"--distances must be in 1..{PairKey.MaxDistance} (got {Distances})");
        if (TopK < 1) throw new UsageException($"--top-k must be at least 1 (got {TopK})");
        if (MemoryBytes < 1 << 20) throw new UsageException("--memory must be at least 1MB");
        if (CheckpointSeconds < 1) throw new UsageException("--checkpoint-seconds must be positive");
    }
}
