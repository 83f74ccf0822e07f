namespace ARuntime.Sdk.Telemetry;

/// <summary>How the tenant of a request appears in telemetry.</summary>
public enum TenantTelemetryMode
{
    /// <summary>The tenant is recorded as a truncated hash (<c>aruntime.tenant.hash</c>), enough to group and correlate by tenant.</summary>
    Hashed = 0,

    /// <summary>Nothing identifying the tenant is recorded.</summary>
    Omitted = 1,
}
