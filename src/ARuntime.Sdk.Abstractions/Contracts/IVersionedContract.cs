namespace ARuntime.Sdk.Contracts;

/// <summary>A contract that carries the version it was written with.</summary>
public interface IVersionedContract
{
    /// <summary>Gets the contract version, <c>major.minor</c>; see <see cref="ContractVersions"/>.</summary>
    string ContractVersion { get; }
}
