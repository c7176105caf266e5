using System.Text;
using CsCheck;
using LmCompare.Core;
using LmCompare.Corpus.Tokenizers;

namespace LmCompare.Corpus.Tests;

public class TokenizerTests
{
    private static List<string> Keys(ITokenizer tokenizer, string line)
    {
        var buffer = new TokenBuffer();
        tokenizer.Tokenize(line, buffer);
        return Enumerable.Range(0, buffer.Count).Select(buffer.KeyString).ToList();
    }

    [Fact]
    public void Whitespace_Tokenize_SplitsOnAnyWhitespaceAndKeepsCase()
    {
        Assert.Equal(["The", "cat,", "sat"], Keys(new WhitespaceTokenizer(), "  The\tcat,  sat "));
    }

    [Fact]
    public void Word_Tokenize_SeparatesPunctuationKeepsContractions()
    {
        var keys = Keys(new WordTokenizer(), "Call me Ishmael. Some years ago—never mind; don't 3.5% whale's!");

        Assert.Equal(["Call", "me", "Ishmael", ".", "Some", "years", "ago", "—", "never", "mind", ";", "don't", "3", ".", "5", "%", "whale's", "!"],
            keys);
    }

    [Fact]
    public void Word_CharactersBeyondTheBmp_OneTokenEachNeverALoneSurrogate()
    {
        var keys = Keys(new WordTokenizer(), "ok 😀👍 x𝑥 🦀!");

        Assert.Equal(["ok", "😀", "👍", "x", "𝑥", "🦀", "!"], keys);
        Assert.All(keys, k => Assert.Equal(k, System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(k))));
    }

    [Fact]
    public void Word_Lowercase_LowercasesKeysButOffsetsPointAtSource()
    {
        var buffer = new TokenBuffer();
        new WordTokenizer(lowercase: true).Tokenize("Ahab's ÉCOLE", buffer);

        Assert.Equal("ahab's", buffer.KeyString(0));
        Assert.Equal("école", buffer.KeyString(1));
        Assert.Equal("ÉCOLE", "Ahab's ÉCOLE"[buffer.Source(1)]);
    }

    [Fact]
    public void Word_Detokenize_GluesPunctuation()
    {
        Assert.Equal("Call me Ishmael. Some (years), ago!",
            new WordTokenizer().Detokenize(["Call", "me", "Ishmael", ".", "Some", "(", "years", ")", ",", "ago", "!"]));
    }

    [Fact]
    public void Gpt2_Tokenize_GivesByteLevelKeys()
    {
        Assert.Equal(["Hello", "Ġworld", "!"], Keys(new Gpt2Tokenizer(), "Hello world!"));
    }

    [Fact]
    public void Gpt2_RandomText_DetokenizesToExactText()
    {
        var tokenizer = new Gpt2Tokenizer();
        Gen.String[Gen.Char.Where(c => !char.IsSurrogate(c) && c != '\n' && c != '\r'), 0, 40].Sample(text =>
        {
            var keys = Keys(tokenizer, text);
            Assert.Equal(text, tokenizer.Detokenize(keys));
            Assert.Equal(Encoding.UTF8.GetByteCount(text), keys.Sum(Gpt2Tokenizer.ByteLength));
        }, iter: 300, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Word_RandomText_TokensCoverEveryNonSpaceCharacterInOrder()
    {
        var tokenizer = new WordTokenizer();
        Gen.String[Gen.Char["abcXYZ0189 .'—é\t-!"], 0, 60].Sample(text =>
        {
            var buffer = new TokenBuffer(); // CsCheck samples on several threads
            tokenizer.Tokenize(text, buffer);
            var covered = new StringBuilder();
            int last = 0;
            for (int i = 0; i < buffer.Count; i++)
            {
                var range = buffer.Source(i);
                Assert.True(range.Start.Value >= last);
                Assert.Equal(text[range], buffer.KeyString(i));
                covered.Append(text[range]);
                last = range.End.Value;
            }
            Assert.Equal(string.Concat(text.Where(c => !char.IsWhiteSpace(c))), covered.ToString());
        }, iter: 300, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Factory_UnknownKindOrLowercaseMisuse_Throws()
    {
        Assert.Throws<UsageException>(() => TokenizerFactory.Create(new TokenizerSettings("bpe")));
        Assert.Throws<UsageException>(() => TokenizerFactory.Create(new TokenizerSettings("gpt2", Lowercase: true)));
    }
}
