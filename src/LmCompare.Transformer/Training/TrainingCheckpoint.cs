using System.Text;
using System.Text.Json;
using LmCompare.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LmCompare.Transformer.Training;

/// <summary>One validation point of the learning curve.</summary>
public sealed record TrainingPoint(int Step, long TokensSeen, double TrainLoss, double ValidLoss, double Seconds);

/// <summary>Everything besides tensors that a resumed run needs to continue exactly.</summary>
public sealed record TrainingState(
    GptConfig Config, TrainingOptions Options, int Step, long TokensSeen, double BestValidLoss, int EvalsWithoutImprovement,
    ulong SamplerState, double ElapsedSeconds, IReadOnlyList<TrainingPoint> Curve);

/// <summary>
/// <c>checkpoint.bin</c>: magic, the state as JSON, torch's RNG state, the weights and the optimizer state, an end
/// marker. Written to a temporary file and renamed, so a crash never leaves a half-written checkpoint as the latest.
/// </summary>
public static class TrainingCheckpoint
{
    private const string Magic = "LMCGPT01", End = "LMCGPTEND";

    /// <summary>The best loss is +infinity until the first evaluation.</summary>
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Save(string path, TrainingState state, Gpt model, OptimizerHelper optimizer)
    {
        string temp = path + $".{Environment.ProcessId}.tmp";
        try
        {
            Write(temp, state, model, optimizer);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        File.Move(temp, path, overwrite: true);
    }

    private static void Write(string temp, TrainingState state, Gpt model, OptimizerHelper optimizer)
    {
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(state, Json));
            using var rng = get_rng_state();
            var rngBytes = rng.data<byte>().ToArray();
            writer.Write(rngBytes.Length);
            writer.Write(rngBytes);
            model.save(writer);
            optimizer.save_state_dict(writer);
            writer.Write(End);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>The state alone (to compare configurations before building a model).</summary>
    public static TrainingState ReadState(string path)
    {
        using var reader = Open(path);
        return ReadHeader(reader, path);
    }

    /// <summary>Loads weights, optimizer state and RNG state; a truncated or altered file is an <see cref="InputException"/> naming it.</summary>
    public static TrainingState Load(string path, Gpt model, OptimizerHelper optimizer)
    {
        try
        {
            using var reader = Open(path);
            var state = ReadHeader(reader, path);
            var rng = reader.ReadBytes(reader.ReadInt32());
            model.load(reader);
            optimizer.load_state_dict(reader);
            if (reader.ReadString() != End) throw new InputException($"{path}: corrupt checkpoint (no end marker)");
            set_rng_state(tensor(rng, dtype: ScalarType.Byte));
            return state;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or FormatException or InvalidOperationException
            or System.Runtime.InteropServices.ExternalException)
        {
            throw new InputException($"{path}: truncated or corrupt checkpoint ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    private static BinaryReader Open(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: checkpoint not found");
        return new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20), Encoding.UTF8);
    }

    private static TrainingState ReadHeader(BinaryReader reader, string path)
    {
        try
        {
            if (reader.ReadString() != Magic) throw new InputException($"{path}: not an lmc checkpoint");
            return JsonSerializer.Deserialize<TrainingState>(reader.ReadString(), Json)
                ?? throw new InputException($"{path}: corrupt checkpoint header");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or FormatException)
        {
            throw new InputException($"{path}: truncated or corrupt checkpoint ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }
}
