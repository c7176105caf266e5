using System.Text.Json;

namespace LmCompare.Counting.Stores;

/// <summary>Resume state stored with every checkpoint of the count store: everything before TokensDone is counted
/// (pairs starting there, n-gram windows ending there).</summary>
/// <param name="Fingerprint">Corpus, vocabulary and the model's settings: a resume with anything else is refused.</param>
public sealed record CountProgress(long TokensDone, string Fingerprint)
{
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static CountProgress? FromBytes(byte[] bytes) => bytes.Length == 0 ? null : JsonSerializer.Deserialize<CountProgress>(bytes);
}
