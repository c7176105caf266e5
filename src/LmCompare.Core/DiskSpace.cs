namespace LmCompare.Core;

/// <summary>Free disk space: checked before a build writes more than a little, and recognised when it runs out.</summary>
public static class DiskSpace
{
    private const int NoSpaceLeft = 28, QuotaExceeded = 122; // ENOSPC, EDQUOT (Linux errno; .NET keeps it as the HResult)

    /// <summary>Bytes free for this process on the filesystem that holds <paramref name="directory"/>, or null when unknown.</summary>
    public static long? Free(string directory)
    {
        try { return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace; }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Refuses, with both numbers, when the filesystem of <paramref name="directory"/> has less than
    /// <paramref name="bytes"/> free for <paramref name="what"/>.</summary>
    public static void Require(string directory, long bytes, string what)
    {
        if (Free(directory) is { } free && free < bytes)
            throw new InputException($"{directory}: {what} needs about {Gigabytes(bytes)} of disk, {Gigabytes(free)} free; free some space or " +
                "point --home at a larger disk");
    }

    public static bool IsDiskFull(IOException e) =>
        e.HResult is NoSpaceLeft or QuotaExceeded || e.Message.Contains("No space left on device", StringComparison.Ordinal);

    private static string Gigabytes(long bytes) => $"{bytes / (double)(1L << 30):0.00} GB";
}
