namespace LmCompare.Core;

/// <summary>What a model costs to keep: parameters or stored entries, bytes on disk, non-zero cells.</summary>
/// <param name="Parameters">Trainable parameters (transformer) or stored count entries (count models).</param>
/// <param name="BytesOnDisk">Bytes of the model folder as built.</param>
/// <param name="NonZeros">Non-zero cells (count models) or parameters (dense models).</param>
public sealed record ModelFootprint(long Parameters, long BytesOnDisk, long NonZeros);
