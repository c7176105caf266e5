namespace LmCompare.Core;

/// <summary>
/// The tokens of one line, reused from line to line so tokenising allocates nothing per token.
/// Each token has a key (the string looked up in the vocabulary) and the character span of the line
/// it came from, so bytes per token are known even when the key differs from the source (lower-casing, BPE).
/// </summary>
public sealed class TokenBuffer
{
    private char[] _chars = new char[256];
    private int _charCount;
    private int[] _keyStart = new int[64];
    private int[] _keyLength = new int[64];
    private int[] _sourceStart = new int[64];
    private int[] _sourceLength = new int[64];

    public int Count { get; private set; }

    public void Clear()
    {
        Count = 0;
        _charCount = 0;
    }

    /// <summary>Adds a token whose key is <paramref name="key"/> and which covers line[sourceStart..+sourceLength].</summary>
    public void Add(ReadOnlySpan<char> key, int sourceStart, int sourceLength)
    {
        if (Count == _keyStart.Length) Grow();
        if (_charCount + key.Length > _chars.Length) Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + key.Length));
        key.CopyTo(_chars.AsSpan(_charCount));
        _keyStart[Count] = _charCount;
        _keyLength[Count] = key.Length;
        _sourceStart[Count] = sourceStart;
        _sourceLength[Count] = sourceLength;
        _charCount += key.Length;
        Count++;
    }

    /// <summary>Lets a tokenizer change a key in place (e.g. lower-case it) after adding it.</summary>
    public Span<char> KeySpan(int index) => _chars.AsSpan(_keyStart[index], _keyLength[index]);

    public ReadOnlySpan<char> Key(int index) => _chars.AsSpan(_keyStart[index], _keyLength[index]);

    public string KeyString(int index) => new(Key(index));

    /// <summary>The token's character range in the line it was read from.</summary>
    public Range Source(int index) => new(_sourceStart[index], _sourceStart[index] + _sourceLength[index]);

    private void Grow()
    {
        int n = _keyStart.Length * 2;
        Array.Resize(ref _keyStart, n);
        Array.Resize(ref _keyLength, n);
        Array.Resize(ref _sourceStart, n);
        Array.Resize(ref _sourceLength, n);
    }
}
