using System.Runtime.InteropServices;
using LLama;

namespace ARuntime.Sdk.LlamaSharp.Tests.Grammar.Support;

/// <summary>
/// Asks llama.cpp itself whether it accepts a grammar: calls <c>llama_sampler_init_grammar</c> and frees the result.
/// (LLamaSharp adds the result to a sampler chain unchecked, which crashes when it is null; here a null is just
/// "rejected".)
/// </summary>
internal static class NativeGrammarProbe
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GetVocab(IntPtr model);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr InitGrammar(IntPtr vocab, [MarshalAs(UnmanagedType.LPUTF8Str)] string grammar, [MarshalAs(UnmanagedType.LPUTF8Str)] string root);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void FreeSampler(IntPtr sampler);

    public static bool Accepts(LLamaWeights weights, string grammar, string root)
    {
        var library = LoadedLlamaLibrary();
        var getVocab = Marshal.GetDelegateForFunctionPointer<GetVocab>(NativeLibrary.GetExport(library, "llama_model_get_vocab"));
        var init = Marshal.GetDelegateForFunctionPointer<InitGrammar>(NativeLibrary.GetExport(library, "llama_sampler_init_grammar"));
        var free = Marshal.GetDelegateForFunctionPointer<FreeSampler>(NativeLibrary.GetExport(library, "llama_sampler_free"));

        var added = false;
        weights.NativeHandle.DangerousAddRef(ref added);
        try
        {
            var sampler = init(getVocab(weights.NativeHandle.DangerousGetHandle()), grammar, root);
            if (sampler == IntPtr.Zero)
            {
                return false;
            }

            free(sampler);
            return true;
        }
        finally
        {
            if (added)
            {
                weights.NativeHandle.DangerousRelease();
            }
        }
    }

    private static IntPtr LoadedLlamaLibrary()
    {
        // The library LLamaSharp already loaded (by full path from its runtimes folder).
        if (OperatingSystem.IsLinux())
        {
            var path = File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(parts => parts.Length >= 6 && parts[5].EndsWith("/libllama.so", StringComparison.Ordinal))
                .Select(parts => parts[5])
                .FirstOrDefault();
            if (path is not null)
            {
                return NativeLibrary.Load(path);
            }
        }

        if (NativeLibrary.TryLoad("libllama.so", out var handle) || NativeLibrary.TryLoad("llama", out handle))
        {
            return handle;
        }

        Assert.Ignore("Cannot locate the loaded llama.cpp library on this platform.");
        return IntPtr.Zero;
    }
}
