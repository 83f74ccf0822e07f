using SQLitePCL;

namespace ARuntime.Sdk.SqlCipher.Native;

/// <summary>Resolves SQLite entry points from a native library handle for SQLitePCLRaw's dynamic provider.</summary>
internal sealed class FunctionPointerResolver(IntPtr libraryHandle) : IGetFunctionPointer
{
    public IntPtr GetFunctionPointer(string name) =>
        System.Runtime.InteropServices.NativeLibrary.TryGetExport(libraryHandle, name, out var address) ? address : IntPtr.Zero;
}
