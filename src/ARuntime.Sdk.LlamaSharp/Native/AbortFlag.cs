using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LLama.Native;

namespace ARuntime.Sdk.LlamaSharp.Native;

/// <summary>
/// A flag llama.cpp polls between graph nodes (<c>llama_set_abort_callback</c>): raising it stops the decode in flight,
/// which then returns <see cref="DecodeResult.ComputeAborted"/> and can be retried. The flag lives in native memory and
/// the callback is an unmanaged function that only reads it, so the poll never enters managed code.
/// </summary>
internal sealed unsafe class AbortFlag : IDisposable
{
    private int* flag;

    /// <summary>Initializes a new instance.</summary>
    public AbortFlag()
    {
        flag = (int*)NativeMemory.AllocZeroed(sizeof(int));
    }

    /// <summary>Installs the flag on a context; the flag must outlive the context.</summary>
    /// <param name="context">The llama.cpp context.</param>
    public void InstallOn(SafeLLamaContextHandle context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(flag is null, this);
        delegate* unmanaged[Cdecl]<IntPtr, byte> callback = &ShouldAbort;
        NativeApi.llama_set_abort_callback(context, (IntPtr)callback, (IntPtr)flag);
    }

    /// <summary>Gets whether the flag is raised.</summary>
    public bool IsRaised => flag is not null && Volatile.Read(ref *flag) != 0;

    /// <summary>Raises the flag: the decode in flight (if any) stops at its next graph node.</summary>
    public void Raise()
    {
        var f = flag;
        if (f is not null)
        {
            Volatile.Write(ref *f, 1);
        }
    }

    /// <summary>Lowers the flag before the next decode.</summary>
    public void Reset()
    {
        var f = flag;
        if (f is not null)
        {
            Volatile.Write(ref *f, 0);
        }
    }

    /// <summary>Frees the flag; call only after every context it was installed on is disposed.</summary>
    public void Dispose()
    {
        var f = flag;
        flag = null;
        if (f is not null)
        {
            NativeMemory.Free(f);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte ShouldAbort(IntPtr data) => (byte)(Volatile.Read(ref *(int*)data) != 0 ? 1 : 0);
}
