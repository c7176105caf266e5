using System.Text;

namespace LmCompare.Corpus.Sources;

/// <summary>
/// Replaces each invalid UTF-8 sequence with U+FFFD, like <see cref="DecoderReplacementFallback"/>, and counts
/// the replacements so ingestion can report them instead of hiding them.
/// </summary>
public sealed class CountingDecoderFallback : DecoderFallback
{
    public long Replacements { get; private set; }

    public override int MaxCharCount => 1;

    public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(this);

    private sealed class Buffer(CountingDecoderFallback owner) : DecoderFallbackBuffer
    {
        private bool _pending;

        public override int Remaining => _pending ? 1 : 0;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            owner.Replacements++;
            _pending = true;
            return true;
        }

        public override char GetNextChar()
        {
            if (!_pending) return '\0';
            _pending = false;
            return '\uFFFD';
        }

        public override bool MovePrevious() => false;

        public override void Reset() => _pending = false;
    }
}
