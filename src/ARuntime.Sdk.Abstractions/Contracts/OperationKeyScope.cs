namespace ARuntime.Sdk.Contracts;

/// <summary>Which calls count as the same logical operation when the runtime derives a tool call's operation key.</summary>
public enum OperationKeyScope
{
    /// <summary>
    /// One operation per request: the key includes the request's idempotency key (or, without one, its request id), so a
    /// request repeated under the same idempotency key — also after a crash — repeats no effect, while separate requests
    /// act separately.
    /// </summary>
    Request = 0,

    /// <summary>
    /// One operation per tenant: the key ignores the request, so the same key arguments from any request of the tenant are
    /// the same operation (for example "pay invoice 42" happens once, whichever request asks for it).
    /// </summary>
    Tenant = 1,
}
