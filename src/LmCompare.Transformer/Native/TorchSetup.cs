using System.Runtime.InteropServices;
using LmCompare.Core;
using TorchSharp;

namespace LmCompare.Transformer.Native;

/// <summary>libtorch could not be loaded or initialised (exit 3: the installation, not the input, is at fault).</summary>
public sealed class NativeLibraryException(string message, Exception? inner = null) : LmcException(message, inner)
{
    public override int ExitCode => ExitCodes.Internal;
}

/// <summary>
/// Everything libtorch needs before its first call, done once per process and invisible to users:
/// the GLIBCXX_3.4.32 weak-version fix where the system's libstdc++ lacks that version (see <see cref="ElfVersionPatch"/>),
/// glibc malloc kept from returning memory to the kernel after every step, and the thread count.
/// </summary>
public static class TorchSetup
{
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private static readonly object Gate = new();
    private static bool _ready;

    /// <summary>Where models and batches live: CUDA when libtorch sees a GPU, else the CPU (the only kind served here).</summary>
    /// <remarks>Touching torch runs its static constructor, which loads libtorch: so nothing here does before the fix.</remarks>
    public static torch.Device Device
    {
        get
        {
            EnsureLoaded();
            return _device!;
        }
    }

    private static torch.Device? _device;

    /// <summary>Makes torch usable; <paramref name="threads"/> 0 means all cores.</summary>
    public static void EnsureReady(int threads = 0)
    {
        lock (Gate)
        {
            EnsureLoaded();
            torch.set_num_threads(threads > 0 ? threads : Environment.ProcessorCount);
        }
    }

    private static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_ready) return;
            if (OperatingSystem.IsLinux())
            {
                if (!SystemLibStdCxxHas(MissingVersion)) PatchLibTorchSharp();
                KeepFreedMemory();
            }
            Initialise();
            _device = torch.cuda.is_available() ? torch.CUDA : torch.CPU;
            _ready = true;
        }
    }

    private static void Initialise()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var root = e;
            while (root.InnerException is not null) root = root.InnerException;
            string reason = root.Message.ReplaceLineEndings(" ").Split(". ", 2)[0]; // TorchSharp appends a long loader trace
            throw new NativeLibraryException($"libtorch cannot be loaded from {AppContext.BaseDirectory}: {reason}", e);
        }
    }

    /// <summary>True when a libstdc++.so.6 on the usual library paths defines the version.</summary>
    public static bool SystemLibStdCxxHas(string version)
    {
        string[] candidates = ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6"];
        var needle = System.Text.Encoding.ASCII.GetBytes(version + "\0");
        foreach (string path in candidates.Where(File.Exists))
            if (File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0) return true;
        return false;
    }

    /// <summary>Patches every libLibTorchSharp.so beside the application (build output or runtimes/linux-x64/native).</summary>
    private static void PatchLibTorchSharp()
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"),
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
        ];
        foreach (string path in candidates.Where(File.Exists))
        {
            try { ElfVersionPatch.MarkWeak(path, MissingVersion); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // Read-only install: loading will fail below with a clear message naming the library folder.
            }
        }
    }

    private const int MallocTrimThreshold = -1, MallocMmapMax = -4;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    /// <summary>
    /// glibc trims and unmaps freed blocks at every step, and serves each 200 MB logits buffer by mmap (docs/ARCHITECTURE.md, "The models";
    /// measured: 2x to 4.5x training throughput once it keeps them).
    /// </summary>
    private static void KeepFreedMemory()
    {
        try
        {
            _ = Mallopt(MallocMmapMax, 0); // 0 on failure: the defaults stay, training is only slower
            _ = Mallopt(MallocTrimThreshold, int.MaxValue);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: nothing to tune.
        }
    }
}
