namespace LmCompare.Core;

/// <summary>The three reserved tokens; their ids are fixed so every model and file agrees on them.</summary>
public static class SpecialTokens
{
    public const string Unknown = "<unk>";
    public const string SentenceStart = "<s>";
    public const string SentenceEnd = "</s>";

    public const int UnknownId = 0;
    public const int SentenceStartId = 1;
    public const int SentenceEndId = 2;

    /// <summary>Number of reserved ids; ordinary words start here.</summary>
    public const int Count = 3;

    public static bool IsSpecial(ReadOnlySpan<char> token) =>
        token.SequenceEqual(Unknown) || token.SequenceEqual(SentenceStart) || token.SequenceEqual(SentenceEnd);
}
