using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LmCompare.Transformer;

/// <summary>
/// A decoder-only transformer, read top to bottom as nanoGPT's model.py: token and learned position embeddings,
/// pre-LayerNorm blocks of causal self-attention and a GELU MLP, a final LayerNorm, and an output head tied to the
/// token embedding (Press and Wolf 2017). Shapes: B batch, T time, C channels, V vocabulary.
/// </summary>
public sealed class Gpt : nn.Module<Tensor, Tensor>
{
    private readonly GptConfig _config;
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly Dropout drop;
    private readonly ModuleList<Block> h;
    private readonly LayerNorm ln_f;

    public Gpt(GptConfig config) : base("gpt")
    {
        config.Validate();
        _config = config;
        wte = nn.Embedding(config.VocabularySize, config.DModel);
        wpe = nn.Embedding(config.Context, config.DModel);
        drop = nn.Dropout(config.Dropout);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new Block(config, i)).ToArray());
        ln_f = nn.LayerNorm(config.DModel);
        RegisterComponents();
        Initialise();
        this.to(Native.TorchSetup.Device);
    }

    public GptConfig Config => _config;

    /// <summary>Logits (B, T, V) for token ids (B, T), T at most the context.</summary>
    public override Tensor forward(Tensor idx)
    {
        using var scope = NewDisposeScope();
        return Logits(Hidden(idx)).MoveToOuterDisposeScope();
    }

    /// <summary>The final hidden states (B, T, C), after the last LayerNorm.</summary>
    public Tensor Hidden(Tensor idx)
    {
        using var scope = NewDisposeScope();
        long t = idx.shape[1];
        var pos = arange(t, dtype: ScalarType.Int64, device: idx.device);   // (T)
        var x = drop.forward(wte.forward(idx) + wpe.forward(pos));          // (B, T, C)
        foreach (var block in h) x = block.forward(x);                      // (B, T, C)
        return ln_f.forward(x).MoveToOuterDisposeScope();                   // (B, T, C)
    }

    /// <summary>Logits (..., V) of hidden states (..., C) through the head tied to the token embedding.</summary>
    public Tensor Logits(Tensor hidden) => nn.functional.linear(hidden, wte.weight!);

    /// <summary>The token embedding matrix (V, C), shared with the output head.</summary>
    public Tensor TokenEmbedding => wte.weight!.detach();

    /// <summary>N(0, 0.02) weights, zero biases, residual projections scaled by 1/sqrt(2 L) (GPT-2 paper, nanoGPT).</summary>
    private void Initialise()
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal)) nn.init.zeros_(parameter);
            else if (name.Contains("ln_", StringComparison.Ordinal)) nn.init.ones_(parameter);
            else if (name.EndsWith("c_proj.weight", StringComparison.Ordinal)) nn.init.normal_(parameter, 0, 0.02 / Math.Sqrt(2.0 * _config.Layers));
            else nn.init.normal_(parameter, 0, 0.02);
        }
    }

    /// <summary>One pre-LayerNorm block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm ln_1;
        private readonly CausalSelfAttention attn;
        private readonly LayerNorm ln_2;
        private readonly Linear c_fc;
        private readonly GELU gelu;
        private readonly Linear c_proj;
        private readonly Dropout dropout;

        public Block(GptConfig config, int index) : base($"block{index}")
        {
            ln_1 = nn.LayerNorm(config.DModel);
            attn = new CausalSelfAttention(config);
            ln_2 = nn.LayerNorm(config.DModel);
            c_fc = nn.Linear(config.DModel, 4 * config.DModel);
            gelu = nn.GELU();
            c_proj = nn.Linear(4 * config.DModel, config.DModel);
            dropout = nn.Dropout(config.Dropout);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            x = x + attn.forward(ln_1.forward(x));                                                   // (B, T, C)
            return x + dropout.forward(c_proj.forward(gelu.forward(c_fc.forward(ln_2.forward(x))))); // (B, T, C)
        }
    }

    /// <summary>Multi-head causal self-attention through libtorch's fused scaled_dot_product_attention.</summary>
    private sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
    {
        private readonly Linear c_attn;
        private readonly Linear c_proj;
        private readonly Dropout resid_dropout;
        private readonly int _heads;
        private readonly double _dropout;

        public CausalSelfAttention(GptConfig config) : base("attn")
        {
            c_attn = nn.Linear(config.DModel, 3 * config.DModel);
            c_proj = nn.Linear(config.DModel, config.DModel);
            resid_dropout = nn.Dropout(config.Dropout);
            _heads = config.Heads;
            _dropout = config.Dropout;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            long b = x.shape[0], t = x.shape[1], c = x.shape[2];
            var qkv = c_attn.forward(x).split(c, dim: 2);                          // 3 x (B, T, C)
            var q = qkv[0].view(b, t, _heads, c / _heads).transpose(1, 2);          // (B, H, T, hs)
            var k = qkv[1].view(b, t, _heads, c / _heads).transpose(1, 2);          // (B, H, T, hs)
            var v = qkv[2].view(b, t, _heads, c / _heads).transpose(1, 2);          // (B, H, T, hs)
            var y = nn.functional.scaled_dot_product_attention(q, k, v, p: training ? _dropout : 0, is_casual: true); // (B, H, T, hs)
            y = y.transpose(1, 2).contiguous().view(b, t, c);                      // (B, T, C)
            return resid_dropout.forward(c_proj.forward(y));
        }
    }
}
