namespace LmCompare.Core;

/// <summary>How the vocabulary is cut from the training counts.</summary>
/// <param name="MinCount">Words seen fewer times than this in training become <c>&lt;unk&gt;</c>. Default 1 (keep every word).</param>
/// <param name="MaxVocab">At most this many words (not counting the three reserved tokens); 0 = no limit.</param>
public sealed record VocabularyOptions(int MinCount = 1, int MaxVocab = 0)
{
    public void Validate()
    {
        if (MinCount < 1) throw new UsageException($"--min-count must be at least 1 (got {MinCount})");
        if (MaxVocab < 0) throw new UsageException($"--max-vocab must be 0 (no limit) or positive (got {MaxVocab})");
    }
}
