using System.Text.Json;
using LmCompare.Corpus;

namespace LmCompare.Counting.Stores;

/// <summary>
/// A build's resume record as JSON: written whole after each finished step (<see cref="AtomicFile"/>), so a killed
/// build finds either the previous record or the new one; an unreadable record reads as none (the step is done again).
/// </summary>
internal static class LedgerFile
{
    public static T? Read<T>(string path) where T : class
    {
        try { return File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path)) : null; }
        catch (JsonException) { return null; }
    }

    public static T Write<T>(string path, T ledger)
    {
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(ledger));
        return ledger;
    }
}
