namespace LmCompare.Counting.Stores;

/// <summary>
/// Whether a store folder holds at least one complete checkpoint. A process killed during its first checkpoint leaves
/// a partial one that FASTER cannot recover ("Unable to find valid HybridLog token"); such a store holds nothing durable,
/// so a resumed build starts over. The marker is written after FASTER reports a checkpoint complete; later checkpoints
/// interrupted by a kill are handled by FASTER itself, which recovers the newest complete one.
/// </summary>
public static class StoreCheckpoints
{
    private const string MarkerFile = "checkpoint.complete";

    public static void MarkComplete(string directory)
    {
        string marker = Path.Combine(directory, MarkerFile);
        if (!File.Exists(marker)) File.WriteAllText(marker, DateTime.UtcNow.ToString("O"));
    }

    public static bool HasComplete(string directory) => File.Exists(Path.Combine(directory, MarkerFile));
}
